"""The words of the printables and the command line, in English and Simplified Chinese.

Worksheets, answer keys, the diagram, the Moodle export and the CLI's tables are made outside the
web app (``grader generate`` has no Flask), so they cannot use the pages' gettext catalogue; their
words are here, keyed by the English text, with the source material's terms (正向传播, 误差, 阈值,
学习率, 隐层) as the pages use them.  ``tests/worksheets/test_wording.py`` checks that every text
the code asks for has its Chinese version.
"""

from __future__ import annotations

from grader.engine import Exercise, walkthrough

LANGUAGES = ("en", "zh")

ZH: dict[str, str] = {
    # Sheets
    "Worksheet": "练习单",
    "Answer key": "答案",
    "Worksheets": "练习单",
    "Answer keys": "答案",
    "Worksheet: {title} ({student})": "练习单：{title}（{student}）",
    "Answer key: {title} ({student})": "答案：{title}（{student}）",
    "Worksheets: {title}": "练习单：{title}",
    "Answer keys: {title}": "答案：{title}",
    "Student {student} · variant {variant} · {difficulty}": "学生 {student} · 题号 {variant} · {difficulty}",
    "introductory": "入门",
    "intermediate": "中级",
    "advanced": "进阶",
    "Name:": "姓名：",
    "Objective:": "学习目标：",
    "Your answers": "你的答案",
    "Worked solution": "解题过程",
    "Fill in every box, working in the order shown. Keep at least 4 decimal places (or 3 significant figures); "
    "each step may use your own rounded values from earlier steps.": "按所列顺序填写每个空格。至少保留 4 位小数"
    "（或 3 位有效数字）；每一步都可以用你自己前面各步四舍五入后的数值。",
    "Template {template} ({hash}), set seed {seed}, student {student}, resamples {resamples}, engine {engine}, "
    "generator {generator}.": "模板 {template}（{hash}），题组种子 {seed}，学生 {student}，重抽 {resamples} 次，"
    "引擎 {engine}，生成器 {generator}。",
    "not asked": "不要求作答",
    "Step": "步骤",
    "Your value": "你的数值",
    "Formula": "公式",
    "With numbers": "代入数值",
    "Value": "数值",
    "Values": "数值",
    "Convention": "约定",
    "Rule": "规则",
    "network diagram": "网络结构图",
    "Network": "网络",
    # The rules an exercise is worked by (grader.worksheets.conventions)
    "{shape} ({layers}), nodes numbered from 1, inputs first; wⱼᵢ is the weight from node i to node j": (
        "{shape}（{layers}），节点从 1 开始编号，先编输入；wⱼᵢ 是从节点 i 到节点 j 的权重"
    ),
    "Activation": "激活函数",
    "Activation, {layer} layer": "激活函数（{layer}）",
    "Bias": "偏置",
    "Threshold": "阈值",
    "no biases: z = Σ w·y": "无偏置：z = Σ w·y",
    "biases: z = Σ w·y + b, and ∂E/∂b = ∂E/∂z": "有偏置：z = Σ w·y + b，∂E/∂b = ∂E/∂z",
    "thresholds (M-P model): z = Σ w·y − b, so ∂E/∂b = −∂E/∂z": "阈值（M-P 模型）：z = Σ w·y − b，所以 ∂E/∂b = −∂E/∂z",
    "Error term": "误差项",
    "δ = ∂E/∂z; ∂E/∂wⱼᵢ = δⱼ·yᵢ; w ← w − η·∂E/∂w": "δ = ∂E/∂z；∂E/∂wⱼᵢ = δⱼ·yᵢ；w ← w − η·∂E/∂w",
    "textbook sign g = −∂E/∂z, written δ here; ∂E/∂wⱼᵢ = −δⱼ·yᵢ; w ← w − η·∂E/∂w = w + η·δⱼ·yᵢ": (
        "教材的符号 g = −∂E/∂z，此处记作 δ；∂E/∂wⱼᵢ = −δⱼ·yᵢ；w ← w − η·∂E/∂w = w + η·δⱼ·yᵢ"
    ),
    "Updates": "更新",
    "summed": "求和",
    "averaged": "求平均",
    "batch: the {n} samples' gradients (and E) are {how}, then one update": (
        "批量：{n} 个样本的梯度（及 E）先{how}，再更新一次"
    ),
    "online: update after each of the {n} samples, in order": "逐个：按顺序在 {n} 个样本的每一个之后更新",
    "Iterations": "迭代",
    "a last forward pass shows the new E": "最后再做一次正向传播，得到新的 E",
    "{n} iterations, then a last forward pass": "{n} 次迭代，最后再做一次正向传播",
    "{title}: network {shape}": "{title}：{shape} 网络",
    # Givens
    "Inputs": "输入",
    "Target": "目标值",
    "Targets": "目标值",
    "Sample {m} inputs": "样本 {m} 的输入",
    "Sample {m} target": "样本 {m} 的目标值",
    "Sample {m} targets": "样本 {m} 的目标值",
    "Weights into {nodes}": "进入节点 {nodes} 的权重",
    "Biases": "偏置",
    "Thresholds": "阈值",
    "Learning rate": "学习率",
    # Parts of the walk-through
    "Given": "已知",
    "Forward pass": "正向传播",
    "Loss": "误差",
    "Backward pass (deltas)": "反向传播（误差项 δ）",
    "Gradients": "梯度",
    "Updated weights": "更新后的权重",
    "iteration {n}": "第 {n} 次迭代",
    "sample {m}": "样本 {m}",
    "batch sum": "批量求和",
    "batch mean": "批量平均",
    "new": "更新后",
    # Layers
    "input": "输入层",
    "hidden": "隐层",
    "hidden {n}": "第 {n} 隐层",
    "output": "输出层",
    # Moodle
    "Keep at least 4 decimal places (or 3 significant figures).": "至少保留 4 位小数（或 3 位有效数字）。",
    "{n} variants of {title}": "{title} 的 {n} 个题目变体",
    "{template} seed {seed}": "{template} 种子 {seed}",
    # The command line's tables and walk-through
    "Network {shape}, activation {activation}, loss {loss}, bias {bias}, learning rate {rate}, "
    "delta = {delta}, {update} updates": "网络 {shape}，激活函数 {activation}，误差 {loss}，{bias}，学习率 {rate}，"
    "δ = {delta}，{update}",
    "no biases": "无偏置",
    "biases": "有偏置",
    "thresholds": "阈值",
    "online": "逐个样本更新",
    "batch": "批量更新",
    "key": "步骤",
    "submitted": "提交值",
    "expected": "正确值",
    "verdict": "判定",
    "credit": "得分",
    "message": "说明",
    "correct": "正确",
    "carried": "后续正确",
    "misconception": "典型错误",
    "incorrect": "错误",
    "missing": "未作答",
    "invalid": "无效",
}

# The walk-through's own phase titles (English), which ZH translates.
PHASE_TITLES = walkthrough.PHASE_TITLES


def say(text: str, language: str = "en", **params: object) -> str:
    """``text`` (its English wording, with ``{name}`` fields) in ``language``, fields filled in.

    A text without a Chinese version stays English; the wording test finds any such text.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    wording = ZH.get(text, text) if language == "zh" else text
    return wording.format(**params) if params else wording


def padded(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a CJK character takes two)."""
    columns = sum(2 if ord(c) >= 0x2E80 else 1 for c in text)
    return text + " " * max(0, width - columns)


def joined(items: list[str], language: str = "en") -> str:
    """A list in running text: "a, b, c" or "a、b、c"."""
    return ("、" if language == "zh" else ", ").join(items)


def layer_names(exercise: Exercise, language: str = "en") -> list[str]:
    """One name per layer: "input", "hidden" (or "hidden 1", "hidden 2"), "output"; 输入层, 隐层, 输出层."""
    hidden = len(exercise.layers) - 2
    middle = (
        [say("hidden", language)] if hidden == 1 else [say("hidden {n}", language, n=k) for k in range(1, hidden + 1)]
    )
    return [say("input", language), *middle, say("output", language)]
