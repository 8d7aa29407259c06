"""Feedback messages for each verdict, reason and misconception, in English and Simplified Chinese.

Messages name steps as the pages label them (δ₅, ∂E/∂w₅₃, w₅₃ (new)), never by raw key: a
parameter that holds a key is rendered through ``grader.worksheets.notation.label``.  A
misconception's message may depend on the exercise's delta convention (its ``convention``
parameter), so that it never tells a student to repeat the mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.grading.misconceptions import BY_CODE
from grader.worksheets.notation import label

LANGUAGES = ("en", "zh")
Texts = dict[str, str]

MESSAGES: dict[str, Texts] = {
    "correct": {"en": "Correct.", "zh": "正确。"},
    "correct_rounding": {
        "en": "Correct: it follows from your own rounded values.",
        "zh": "正确：与你自己四舍五入后的数值一致。",
    },
    "carried": {
        "en": "Follows correctly from your earlier {sources}: credit carried forward.",
        "zh": "由你前面的 {sources} 正确推出：按后续正确给分。",
    },
    "carried_off": {
        "en": "Follows from your earlier {sources}, but this exercise gives no follow-through credit.",
        "zh": "由你前面的 {sources} 推出，但本练习不给后续正确分。",
    },
    "trivial": {
        "en": "Follows from your earlier {sources}, but {trivial} looks like a placeholder (0, ±1, a number "
        "given in the exercise, or far off) that makes the steps after it easy: no follow-through credit.",
        "zh": "由你前面的 {sources} 推出，但 {trivial} 像是占位数（0、±1、题目给定的数或相差悬殊的数），"
        "会使后面的步骤变得过于简单：不给后续正确分。",
    },
    "trivial_copy": {
        "en": "Follows from your earlier {sources}, but {trivial} repeats the value before it (an update not "
        "made, or an iteration copied): no follow-through credit.",
        "zh": "由你前面的 {sources} 推出，但 {trivial} 与之前的值相同（没有做更新，或照抄了前一次迭代）："
        "不给后续正确分。",
    },
    "incorrect": {"en": "Incorrect.", "zh": "错误。"},
    "missing": {"en": "Not answered.", "zh": "未作答。"},
    "invalid": {"en": "Not a number: {raw}.", "zh": "不是有效数字：{raw}。"},
    # Integrity (see grading/integrity.py and docs/grading-integrity.md).
    "unchanged": {
        "en": "This is the old value {previous}: the update should change it. No credit for an update not made.",
        "zh": "这是更新前的值 {previous}：更新后它应当改变。未做更新不得分。",
    },
    "copied": {
        "en": "This is the value of {previous} from the iteration before; with the updated weights it changes. "
        "No credit for a value copied from an earlier iteration.",
        "zh": "这是上一次迭代中 {previous} 的值；用更新后的权重计算，它会改变。照抄前一次迭代的值不得分。",
    },
    "misread_given": {
        "en": "This step reads {given}, which the exercise gives as {printed}; your values fit {given} = {value} "
        "throughout. Check the number you copied: the steps that follow from it still earn credit.",
        "zh": "这一步用到 {given}，题目给定为 {printed}；你的各步数值都与 {given} = {value} 相符。"
        "请核对抄写的数字：由它推出的后续步骤仍然得分。",
    },
    "other_numbers": {
        "en": "Your answers are worked on numbers other than this exercise's own{example}: "
        "no follow-through credit, and at most 20% of the marks.",
        "zh": "你的答案是用与本题不同的数字算出的{example}：不给后续正确分，总分最多为满分的 20%。",
    },
    # Reasons for an incorrect value (see grading/reasons.py).
    "sign_flipped": {
        "en": "Incorrect: the size is right but the sign is flipped.",
        "zh": "错误：数值大小对，但符号反了。",
    },
    "power_of_ten": {
        "en": "Incorrect: off by a factor of {factor} (check the decimal point).",
        "zh": "错误：相差 {factor} 倍（请检查小数点）。",
    },
    "too_coarse": {
        "en": "Rounded more coarsely than this exercise accepts: keep at least {figures} significant "
        "figures ({decimals} decimal places) for this value.",
        "zh": "四舍五入过于粗略，超出本练习允许的范围：这个值至少保留 {figures} 位有效数字（{decimals} 位小数）。",
    },
    "neighbour": {
        "en": "Incorrect: this is the value of {other}, not of this step.",
        "zh": "错误：这是 {other} 的值，不是这一步的值。",
    },
    "other_iteration": {
        "en": "Incorrect: this is the value of {other}, from another iteration.",
        "zh": "错误：这是另一次迭代中 {other} 的值。",
    },
    "other_sample": {
        "en": "Incorrect: this is the value of {other}, from another sample.",
        "zh": "错误：这是另一个样本中 {other} 的值。",
    },
}
REASONS = frozenset(
    {
        "unchanged",
        "copied",
        "misread_given",
        "other_numbers",
        "sign_flipped",
        "power_of_ten",
        "too_coarse",
        "neighbour",
        "other_iteration",
        "other_sample",
    }
)

# Misconception messages: "default" holds under delta = dE/dz; a convention's own entry replaces it.
MISCONCEPTIONS: dict[str, dict[str, Texts]] = {
    "missing_activation_derivative": {
        "default": {
            "en": "This δ is missing the activation derivative f′: multiply by it (for sigmoid y(1 − y), "
            "for tanh 1 − y²).",
            "zh": "误差项 δ 缺少激活函数的导数 f′：需要乘以它（sigmoid 为 y(1 − y)，tanh 为 1 − y²）。",
        },
    },
    "derivative_from_z": {
        "default": {
            "en": "The activation derivative was evaluated on the net input z instead of the output y: "
            "for sigmoid it is y(1 − y), not z(1 − z); for tanh 1 − y², not 1 − z².",
            "zh": "激活函数的导数用了净输入 z 而不是输出 y：sigmoid 的导数是 y(1 − y)，不是 z(1 − z)；"
            "tanh 的是 1 − y²，不是 1 − z²。",
        },
    },
    "target_minus_output": {
        "default": {
            "en": "The output δ has the wrong sign: with δ = ∂E/∂z it starts from (y − t), not (t − y).",
            "zh": "输出层误差项 δ 的符号反了：当 δ = ∂E/∂z 时应从 (y − t) 开始，而不是 (t − y)。",
        },
        "-dE/dz": {
            "en": "The output δ has the wrong sign: with δ = −∂E/∂z (this exercise's convention) it starts "
            "from (t − y), not (y − t).",
            "zh": "输出层误差项 δ 的符号反了：本题约定 δ = −∂E/∂z，应从 (t − y) 开始，而不是 (y − t)。",
        },
    },
    "gradient_ascent": {
        "default": {
            "en": "The update moved along the gradient (w + η·∂E/∂w): gradient descent moves against it, "
            "w_new = w − η·∂E/∂w.",
            "zh": "更新方向沿着梯度 (w + η·∂E/∂w)：梯度下降应沿负梯度方向，w_new = w − η·∂E/∂w。",
        },
        "-dE/dz": {
            "en": "The update climbs the error: with δ = −∂E/∂z (this exercise's convention) the update adds "
            "η·δⱼ·yᵢ, w_new = w + η·δⱼ·yᵢ (the same as w − η·∂E/∂w); yours moved the other way.",
            "zh": "更新使误差增大：本题约定 δ = −∂E/∂z，更新应加上 η·δⱼ·yᵢ，即 w_new = w + η·δⱼ·yᵢ"
            "（等同于 w − η·∂E/∂w）；你的更新方向相反。",
        },
    },
    "updated_weights_in_backprop": {
        "default": {
            "en": "This δ used weights that were already updated: back-propagate with the weights of the "
            "forward pass, and update only after every δ is known.",
            "zh": "计算误差项 δ 时用了已经更新过的权重：反向传播应使用正向传播时的权重，所有误差项算完后再更新。",
        },
    },
    "missing_learning_rate": {
        "default": {
            "en": "The update left out the learning rate: w_new = w − η·∂E/∂w.",
            "zh": "更新时漏乘了学习率：w_new = w − η·∂E/∂w。",
        },
        "-dE/dz": {
            "en": "The update left out the learning rate: with δ = −∂E/∂z, w_new = w + η·δⱼ·yᵢ.",
            "zh": "更新时漏乘了学习率：本题约定 δ = −∂E/∂z，w_new = w + η·δⱼ·yᵢ。",
        },
    },
    "net_input_in_gradient": {
        "default": {
            "en": "The gradient used the source node's net input zᵢ: ∂E/∂wⱼᵢ = δⱼ·yᵢ, with the output yᵢ.",
            "zh": "梯度用了前一节点的净输入 zᵢ：∂E/∂wⱼᵢ = δⱼ·yᵢ，应使用输出 yᵢ。",
        },
        "-dE/dz": {
            "en": "The gradient used the source node's net input zᵢ: with δ = −∂E/∂z, ∂E/∂wⱼᵢ = −δⱼ·yᵢ, "
            "with the output yᵢ.",
            "zh": "梯度用了前一节点的净输入 zᵢ：本题约定 δ = −∂E/∂z，∂E/∂wⱼᵢ = −δⱼ·yᵢ，应使用输出 yᵢ。",
        },
    },
    "loss_without_half": {
        "default": {
            "en": "The loss is missing the factor ½: E = ½·Σ(y − t)².",
            "zh": "误差漏掉了系数 ½：E = ½·Σ(y − t)²。",
        },
    },
    "threshold_sign": {
        "default": {
            "en": "The threshold has the wrong sign: in the M-P model z = Σw·y − θ, so ∂E/∂θ = −∂E/∂z = −δ.",
            "zh": "阈值的符号错了：M-P 神经元模型中 z = Σw·y − θ，因此 ∂E/∂θ = −∂E/∂z = −δ。",
        },
        "-dE/dz": {
            "en": "The threshold has the wrong sign: in the M-P model z = Σw·y − θ, so ∂E/∂θ = −∂E/∂z, "
            "which is +δ with δ = −∂E/∂z (this exercise's convention).",
            "zh": "阈值的符号错了：M-P 神经元模型中 z = Σw·y − θ，因此 ∂E/∂θ = −∂E/∂z；"
            "本题约定 δ = −∂E/∂z，所以 ∂E/∂θ = +δ。",
        },
    },
    "activation_on_input": {
        "default": {
            "en": "The activation function was applied to the inputs: input nodes pass their values on unchanged.",
            "zh": "对输入层的值用了激活函数：输入层节点直接传递输入值，不做激活。",
        },
    },
    "swapped_weight_indices": {
        "default": {
            "en": "The weight indices are swapped: wⱼᵢ is the weight on the edge from node i to node j.",
            "zh": "权重下标颠倒了：wⱼᵢ 是从节点 i 指向节点 j 的连接权重。",
        },
    },
}

EXPECTED = {"en": " Expected {expected}.", "zh": " 正确答案为 {expected}。"}
KEY_PARAMS = ("previous", "other", "given")
AND_MORE = {"en": " and {n} more", "zh": " 等另外 {n} 个"}
EXAMPLE = {
    "en": " (for example {given} = {value}, where the exercise gives {printed})",
    "zh": "（例如 {given} = {value}，而题目给定为 {printed}）",
}


def _number(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _pair(pair: Any, language: str) -> str:
    """A [key, value] pair as "z₃ = 1.755" (a stored string from before labels is shown as it is)."""
    if isinstance(pair, str):
        return pair
    key, value = pair
    return f"{label(key, language)} = {_number(value)}"


def _sources(value: Any, language: str) -> str:
    if isinstance(value, str):
        return value
    more = [p[1] for p in value if p[0] == "more"]
    shown = ", ".join(_pair(p, language) for p in value if p[0] != "more")
    return shown + (AND_MORE[language].format(n=more[0]) if more else "")


def _params(params: Mapping[str, Any], language: str) -> dict[str, Any]:
    """Message parameters as shown: keys as labels, numbers to 6 significant figures."""
    out: dict[str, Any] = dict(params)
    for name in KEY_PARAMS:
        if isinstance(out.get(name), str):
            out[name] = label(out[name], language)
    for name in ("value", "printed", "factor"):
        if name in out:
            out[name] = _number(out[name])
    if "sources" in out:
        out["sources"] = _sources(out["sources"], language)
    if "trivial" in out:
        out["trivial"] = _pair(out["trivial"], language)
    return out


def misconception_text(code: str, params: Mapping[str, Any], language: str) -> str:
    """A misconception's message under the exercise's convention (``params["convention"]``)."""
    variants = MISCONCEPTIONS.get(code)
    if variants is None:  # a catalogue entry without its own texts here
        return str(getattr(BY_CODE[code], language))
    texts = variants.get(str(params.get("convention", "dE/dz")), variants["default"])
    return texts[language]


def render(note: str, params: Mapping[str, Any], language: str = "en", key: str | None = None) -> str:
    """The message for a note (a verdict detail, a reason or a misconception code) in a language.

    ``key`` is the step the message is about; messages that name other steps label them as the
    page does.
    """
    language = language if language in LANGUAGES else "en"
    if note in BY_CODE:
        return misconception_text(note, params, language)
    shown = _params(params, language)
    if note == "other_numbers":
        shown["example"] = EXAMPLE[language].format(**shown) if "given" in shown else ""
    return MESSAGES[note][language].format(**shown)
