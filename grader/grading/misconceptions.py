"""The catalogue of classic back-propagation mistakes: one entry per misconception.

Each entry has a stable code, the step kinds where it can show, a rule that computes the value
a student applying the mistake would write (from the student's own upstream values, looked up
through ``value``), a short title and a message in English and Simplified Chinese.  A rule
returns None where the mistake does not exist at that step (e.g. a missing derivative of a
linear node, or a missing learning rate when eta = 1); where it gives the right value anyway,
the grader does not name it.

Everything that knows about misconceptions reads this catalogue: the grader, the pages (title and
message) and the generator, whose distinguishability check applies these same rules to the
reference trace (``grader.generation.distinguishability``).  ``everywhere`` tells the generator
that every step the mistake changes must change visibly, not just one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from grader.engine import keys
from grader.engine.activations import Activation, LeakyReLU, Sigmoid
from grader.engine.losses import BINARY_CROSS_ENTROPY
from grader.engine.rules import (
    BiasGradient,
    HiddenDelta,
    NetInput,
    OutputDelta,
    SoftmaxCrossEntropyDelta,
    SoftmaxDelta,
    SoftmaxShare,
    Update,
    WeightGradient,
)
from grader.engine.trace import Step, Trace
from grader.engine.wording import Wording

Value = Callable[[str], float]
MisconceptionRule = Callable[[Step, Value, Trace], "float | None"]


@dataclass(frozen=True, slots=True)
class Misconception:
    code: str
    kinds: frozenset[str]
    rule: MisconceptionRule
    en: str
    zh: str
    title: Wording  # a short name, for tables and headings
    everywhere: bool = False
    # The message under a delta convention where it must read differently (never telling a student
    # to repeat the mistake); ``en``/``zh`` hold under delta = dE/dz and wherever no entry is given.
    under: Mapping[str, Wording] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Misconception({self.code} at {', '.join(sorted(self.kinds))})"

    def message(self, language: str = "en", convention: str = "dE/dz") -> str:
        """The full explanation in ``language`` (English for an unknown one) under a delta convention."""
        if convention in self.under:
            return self.under[convention](language)
        return self.zh if language == "zh" else self.en


def sibling(key: str, name: str) -> str:
    """The key ``name`` with the same iteration and sample prefix as ``key``."""
    return keys.sibling(key, name)


def node(key: str) -> int:
    """The node number of a z, y or delta key."""
    return keys.node(key)


def apply(step: Step, value: Value) -> float:
    """The step's own (right) rule applied to the values that ``value`` looks up."""
    return step.rule(*[value(k) for k in step.inputs])


def _weighted_sum(weights: Sequence[str], ys: Sequence[str], value: Value) -> float:
    return sum(value(w) * value(y) for w, y in zip(weights, ys))


def _hidden_sum(step: Step, value: Value) -> float:
    """sum_k w_kj delta_k of a hidden delta step (inputs: y_j, the weights, then the deltas)."""
    n = (len(step.inputs) - 1) // 2
    return _weighted_sum(step.inputs[1 : 1 + n], step.inputs[1 + n :], value)


def _missing_derivative(step: Step, value: Value, trace: Trace) -> float | None:
    rule = step.rule
    if isinstance(rule, SoftmaxDelta):  # dE/dy_k alone, without the softmax Jacobian
        ys = [value(k) for k in step.inputs]
        return rule.sign * rule.loss.gradient(ys[rule.position], rule.targets[rule.position], len(ys))
    if not isinstance(rule, (OutputDelta, HiddenDelta)) or rule.activation.name == "linear":
        return None
    if isinstance(rule, OutputDelta):
        return rule.sign * rule.loss.gradient(value(step.inputs[0]), rule.target, rule.outputs)
    return _hidden_sum(step, value)


def _derivative_from_z(step: Step, value: Value, trace: Trace) -> float | None:
    rule = step.rule
    if not isinstance(rule, (OutputDelta, HiddenDelta)) or rule.activation.name not in ("sigmoid", "tanh"):
        return None
    z = value(sibling(step.key, f"z{node(step.key)}"))
    wrong = rule.activation.derivative_scalar(z)
    if isinstance(rule, OutputDelta):
        return rule.sign * rule.loss.gradient(value(step.inputs[0]), rule.target, rule.outputs) * wrong
    return wrong * _hidden_sum(step, value)


def _sign_flip(step: Step, value: Value, trace: Trace) -> float | None:
    output = isinstance(step.rule, (OutputDelta, SoftmaxCrossEntropyDelta, SoftmaxDelta))
    return -apply(step, value) if output else None


def _ascent(step: Step, value: Value, trace: Trace) -> float | None:
    if not isinstance(step.rule, Update):
        return None
    old, grad = step.inputs
    return value(old) + step.rule.learning_rate * value(grad)


def _missing_rate(step: Step, value: Value, trace: Trace) -> float | None:
    if not isinstance(step.rule, Update) or step.rule.learning_rate == 1.0:
        return None
    old, grad = step.inputs
    return value(old) - value(grad)


def _updated_weights(step: Step, value: Value, trace: Trace) -> float | None:
    if not isinstance(step.rule, HiddenDelta):
        return None
    n = (len(step.inputs) - 1) // 2
    pre = keys.split(step.key).prefix
    updated = [f"{pre}new_{keys.split(w).parameter}" for w in step.inputs[1 : 1 + n]]
    if not all(k in trace.steps for k in updated):
        return None
    derivative = step.rule.activation.derivative_scalar(value(step.inputs[0]))
    return derivative * _weighted_sum(updated, step.inputs[1 + n :], value)


def _net_input_in_gradient(step: Step, value: Value, trace: Trace) -> float | None:
    if not isinstance(step.rule, WeightGradient):
        return None
    delta, y = step.inputs
    z = sibling(delta, f"z{node(y)}")
    if z not in trace.steps:
        return None
    return step.rule.sign * value(delta) * value(z)


def _loss_without_half(step: Step, value: Value, trace: Trace) -> float | None:
    if step.kind != "E" or trace.exercise.loss != "half_sse":
        return None
    return 2.0 * apply(step, value)


def _threshold_sign(step: Step, value: Value, trace: Trace) -> float | None:
    if trace.exercise.bias != "threshold":
        return None
    if isinstance(step.rule, NetInput):
        n = step.rule.fan_in
        return _weighted_sum(step.inputs[:n], step.inputs[n : 2 * n], value) + value(step.inputs[2 * n])
    return -apply(step, value) if isinstance(step.rule, BiasGradient) else None


def _node_activation(trace: Trace, key: str) -> Activation | None:
    """The activation of the node of a z or delta key, from the exercise (None for a softmax node)."""
    j = node(key)
    depth = next(d for d, nodes in enumerate(trace.exercise.node_layers) if j in nodes)
    activation = trace.exercise.activation_functions[depth - 1]
    return None if activation.output_only else activation


def _activation_on_input(step: Step, value: Value, trace: Trace) -> float | None:
    if isinstance(step.rule, NetInput):
        n = step.rule.fan_in
        f = _node_activation(trace, step.key)
        if trace.steps[step.inputs[n]].kind != "input" or f is None:
            return None
        total: float = sum(value(w) * f.scalar(value(y)) for w, y in zip(step.inputs[:n], step.inputs[n : 2 * n]))
        if step.rule.bias_sign:
            total += step.rule.bias_sign * value(step.inputs[2 * n])
        return total
    if not isinstance(step.rule, WeightGradient):
        return None
    delta, y = step.inputs
    f = _node_activation(trace, delta)
    if trace.steps[y].kind != "input" or f is None:
        return None
    return step.rule.sign * value(delta) * f.scalar(value(y))


def _swapped_indices(step: Step, value: Value, trace: Trace) -> float | None:
    if not isinstance(step.rule, NetInput):
        return None
    n = step.rule.fan_in
    layer = next(nodes for nodes in trace.exercise.node_layers if node(step.key) in nodes)
    if len(layer) != n or n < 2:
        return None
    row = layer.index(node(step.key))
    transposed = [trace.steps[sibling(step.key, f"z{other}")].inputs[row] for other in layer]
    total = _weighted_sum(transposed, step.inputs[n : 2 * n], value)
    if step.rule.bias_sign:
        total += step.rule.bias_sign * value(step.inputs[2 * n])
    return total


def _extra_derivative(step: Step, value: Value, trace: Trace) -> float | None:
    """(y - t) * y(1 - y) where the output delta is y - t: softmax or sigmoid with cross-entropy."""
    rule = step.rule
    cancelled = isinstance(rule, SoftmaxCrossEntropyDelta) or (
        isinstance(rule, OutputDelta) and rule.loss is BINARY_CROSS_ENTROPY and isinstance(rule.activation, Sigmoid)
    )
    if not isinstance(rule, (SoftmaxCrossEntropyDelta, OutputDelta)) or not cancelled:
        return None
    y, t = value(step.inputs[0]), rule.target
    return rule.sign * (y - t) * y * (1.0 - y)


def _softmax_as_sigmoid(step: Step, value: Value, trace: Trace) -> float | None:
    """y_k = 1/(1 + e^-z_k), each output on its own, instead of the softmax share."""
    if not isinstance(step.rule, SoftmaxShare):
        return None
    z = value(step.inputs[step.rule.position])
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _diagonal_only(step: Step, value: Value, trace: Trace) -> float | None:
    """dE/dy_k * y_k(1 - y_k): the softmax Jacobian's diagonal, without the other outputs' terms."""
    rule = step.rule
    if not isinstance(rule, SoftmaxDelta):
        return None
    ys = [value(k) for k in step.inputs]
    y = ys[rule.position]
    return rule.sign * rule.loss.gradient(y, rule.targets[rule.position], len(ys)) * y * (1.0 - y)


def _dead_unit(step: Step, value: Value, trace: Trace) -> float | None:
    """Leaky ReLU's derivative taken as 0 (as ReLU's) where z < 0, instead of its slope."""
    rule = step.rule
    if not isinstance(rule, (OutputDelta, HiddenDelta)) or not isinstance(rule.activation, LeakyReLU):
        return None
    if value(step.inputs[0]) > 0.0:
        return None
    return 0.0


CATALOGUE: tuple[Misconception, ...] = (
    Misconception(
        "missing_activation_derivative",
        frozenset({"delta"}),
        _missing_derivative,
        "This δ is missing the activation derivative f′: multiply by it (for sigmoid y(1 − y), for tanh 1 − y²).",
        "误差项 δ 缺少激活函数的导数 f′：需要乘以它（sigmoid 为 y(1 − y)，tanh 为 1 − y²）。",
        title=Wording("Activation derivative left out", "漏乘激活函数的导数"),
        everywhere=True,
    ),
    Misconception(
        "derivative_from_z",
        frozenset({"delta"}),
        _derivative_from_z,
        "The activation derivative was evaluated on the net input z instead of the output y: for "
        "sigmoid it is y(1 − y), not z(1 − z); for tanh 1 − y², not 1 − z².",
        "激活函数的导数用了净输入 z 而不是输出 y：sigmoid 的导数是 y(1 − y)，不是 z(1 − z)；"
        "tanh 的是 1 − y²，不是 1 − z²。",
        title=Wording("Derivative taken at z instead of y", "导数用了 z 而不是 y"),
    ),
    Misconception(
        "target_minus_output",
        frozenset({"delta"}),
        _sign_flip,
        "The output δ has the wrong sign: with δ = ∂E/∂z it starts from (y − t), not (t − y).",
        "输出层误差项 δ 的符号反了：当 δ = ∂E/∂z 时应从 (y − t) 开始，而不是 (t − y)。",
        under={
            "-dE/dz": Wording(
                "The output δ has the wrong sign: with δ = −∂E/∂z (this exercise's convention) it starts "
                "from (t − y), not (y − t).",
                "输出层误差项 δ 的符号反了：本题约定 δ = −∂E/∂z，应从 (t − y) 开始，而不是 (y − t)。",
            ),
        },
        title=Wording("Output delta with the wrong sign", "输出层误差项符号反了"),
        everywhere=True,
    ),
    Misconception(
        "gradient_ascent",
        frozenset({"new_w", "new_b"}),
        _ascent,
        "The update moved along the gradient (w + η·∂E/∂w): gradient descent moves against it, w_new = w − η·∂E/∂w.",
        "更新方向沿着梯度 (w + η·∂E/∂w)：梯度下降应沿负梯度方向，w_new = w − η·∂E/∂w。",
        under={
            "-dE/dz": Wording(
                "The update climbs the error: with δ = −∂E/∂z (this exercise's convention) the update "
                "adds η·δⱼ·yᵢ, w_new = w + η·δⱼ·yᵢ (the same as w − η·∂E/∂w); yours moved the other way.",
                "更新使误差增大：本题约定 δ = −∂E/∂z，更新应加上 η·δⱼ·yᵢ，即 w_new = w + η·δⱼ·yᵢ"
                "（等同于 w − η·∂E/∂w）；你的更新方向相反。",
            ),
        },
        title=Wording("Update along the gradient (ascent)", "沿梯度方向更新（梯度上升）"),
    ),
    Misconception(
        "updated_weights_in_backprop",
        frozenset({"delta"}),
        _updated_weights,
        "This δ used weights that were already updated: back-propagate with the weights of the "
        "forward pass, and update only after every δ is known.",
        "计算误差项 δ 时用了已经更新过的权重：反向传播应使用正向传播时的权重，所有误差项算完后再更新。",
        title=Wording("Updated weights used in the backward pass", "反向传播中用了已更新的权重"),
    ),
    Misconception(
        "missing_learning_rate",
        frozenset({"new_w", "new_b"}),
        _missing_rate,
        "The update left out the learning rate: w_new = w − η·∂E/∂w.",
        "更新时漏乘了学习率：w_new = w − η·∂E/∂w。",
        under={
            "-dE/dz": Wording(
                "The update left out the learning rate: with δ = −∂E/∂z, w_new = w + η·δⱼ·yᵢ.",
                "更新时漏乘了学习率：本题约定 δ = −∂E/∂z，w_new = w + η·δⱼ·yᵢ。",
            ),
        },
        title=Wording("Learning rate left out", "漏乘学习率"),
    ),
    Misconception(
        "net_input_in_gradient",
        frozenset({"grad_w"}),
        _net_input_in_gradient,
        "The gradient used the source node's net input zᵢ: ∂E/∂wⱼᵢ = δⱼ·yᵢ, with the output yᵢ.",
        "梯度用了前一节点的净输入 zᵢ：∂E/∂wⱼᵢ = δⱼ·yᵢ，应使用输出 yᵢ。",
        under={
            "-dE/dz": Wording(
                "The gradient used the source node's net input zᵢ: with δ = −∂E/∂z, ∂E/∂wⱼᵢ = −δⱼ·yᵢ, "
                "with the output yᵢ.",
                "梯度用了前一节点的净输入 zᵢ：本题约定 δ = −∂E/∂z，∂E/∂wⱼᵢ = −δⱼ·yᵢ，应使用输出 yᵢ。",
            ),
        },
        title=Wording("Net input z used in the gradient", "梯度中用了净输入 z"),
        everywhere=True,
    ),
    Misconception(
        "loss_without_half",
        frozenset({"E"}),
        _loss_without_half,
        "The loss is missing the factor ½: E = ½·Σ(y − t)².",
        "误差漏掉了系数 ½：E = ½·Σ(y − t)²。",
        title=Wording("Error without the factor ½", "误差漏掉系数 ½"),
        everywhere=True,
    ),
    Misconception(
        "threshold_sign",
        frozenset({"z", "grad_b"}),
        _threshold_sign,
        "The threshold has the wrong sign: in the M-P model z = Σw·y − θ, so ∂E/∂θ = −∂E/∂z = −δ.",
        "阈值的符号错了：M-P 神经元模型中 z = Σw·y − θ，因此 ∂E/∂θ = −∂E/∂z = −δ。",
        under={
            "-dE/dz": Wording(
                "The threshold has the wrong sign: in the M-P model z = Σw·y − θ, so ∂E/∂θ = −∂E/∂z, "
                "which is +δ with δ = −∂E/∂z (this exercise's convention).",
                "阈值的符号错了：M-P 神经元模型中 z = Σw·y − θ，因此 ∂E/∂θ = −∂E/∂z；"
                "本题约定 δ = −∂E/∂z，所以 ∂E/∂θ = +δ。",
            ),
        },
        title=Wording("Threshold with the wrong sign", "阈值符号错误"),
        everywhere=True,
    ),
    Misconception(
        "activation_on_input",
        frozenset({"z", "grad_w"}),
        _activation_on_input,
        "The activation function was applied to the inputs: input nodes pass their values on unchanged.",
        "对输入层的值用了激活函数：输入层节点直接传递输入值，不做激活。",
        title=Wording("Activation applied to the inputs", "对输入层用了激活函数"),
    ),
    Misconception(
        "swapped_weight_indices",
        frozenset({"z"}),
        _swapped_indices,
        "The weight indices are swapped: wⱼᵢ is the weight on the edge from node i to node j.",
        "权重下标颠倒了：wⱼᵢ 是从节点 i 指向节点 j 的连接权重。",
        title=Wording("Weight indices swapped", "权重下标颠倒"),
    ),
    Misconception(
        "extra_activation_derivative",
        frozenset({"delta"}),
        _extra_derivative,
        "The output δ is already y − t: with cross-entropy the derivative of softmax (or sigmoid) "
        "cancels against ∂E/∂y, so do not multiply by y(1 − y) again.",
        "输出层误差项 δ 已经是 y − t：使用交叉熵时，softmax（或 sigmoid）的导数与 ∂E/∂y 相消，不要再乘以 y(1 − y)。",
        under={
            "-dE/dz": Wording(
                "The output δ is already t − y (this exercise's δ = −∂E/∂z): with cross-entropy the derivative "
                "of softmax (or sigmoid) cancels against ∂E/∂y, so do not multiply by y(1 − y) again.",
                "输出层误差项 δ 已经是 t − y（本题约定 δ = −∂E/∂z）：使用交叉熵时，softmax（或 sigmoid）的导数"
                "与 ∂E/∂y 相消，不要再乘以 y(1 − y)。",
            ),
        },
        title=Wording("Activation derivative applied twice", "重复乘了激活函数的导数"),
    ),
    Misconception(
        "softmax_as_sigmoid",
        frozenset({"y"}),
        _softmax_as_sigmoid,
        "Each output was computed as a sigmoid of its own z: softmax divides e^zₖ by the sum of e^z over "
        "every output, yₖ = e^zₖ / Σⱼ e^zⱼ, so the outputs add up to 1.",
        "每个输出都按自己的 z 用 sigmoid 计算了：softmax 要用 e^zₖ 除以所有输出的 e^z 之和，"
        "yₖ = e^zₖ / Σⱼ e^zⱼ，各输出之和为 1。",
        title=Wording("Softmax computed as a sigmoid", "把 softmax 当成 sigmoid 计算"),
    ),
    Misconception(
        "softmax_derivative_diagonal_only",
        frozenset({"delta"}),
        _diagonal_only,
        "Only the diagonal of the softmax Jacobian was used, ∂E/∂yₖ·yₖ(1 − yₖ): every output depends on "
        "every z, so ∂E/∂zₖ = Σⱼ ∂E/∂yⱼ·yⱼ(δⱼₖ − yₖ).",
        "只用了 softmax 雅可比矩阵的对角线 ∂E/∂yₖ·yₖ(1 − yₖ)：每个输出都依赖所有的 z，"
        "应为 ∂E/∂zₖ = Σⱼ ∂E/∂yⱼ·yⱼ(δⱼₖ − yₖ)。",
        title=Wording("Softmax Jacobian: diagonal only", "softmax 雅可比矩阵只用了对角线"),
    ),
    Misconception(
        "dead_unit_derivative",
        frozenset({"delta"}),
        _dead_unit,
        "Leaky ReLU's derivative for z < 0 is its slope, not 0: the unit still passes a small gradient back.",
        "Leaky ReLU 在 z < 0 时的导数是它的斜率，不是 0：该神经元仍会回传一个小的梯度。",
        title=Wording("Leaky ReLU taken as dead (derivative 0)", "把 Leaky ReLU 的导数当成 0"),
    ),
)

BY_CODE = {m.code: m for m in CATALOGUE}
KINDS = {kind: [m for m in CATALOGUE if kind in m.kinds] for kind in {k for m in CATALOGUE for k in m.kinds}}
