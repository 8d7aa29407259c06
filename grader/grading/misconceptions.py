"""The catalogue of classic back-propagation mistakes.

Each entry has a stable code, the step kinds where it can show, a rule that computes the value
a student applying the mistake would write (from the student's own upstream values, looked up
through ``value``), and a message in English and Simplified Chinese.  A rule returns None where
the mistake cannot be told apart from the right method (e.g. a missing derivative of a linear
node, or a missing learning rate when eta = 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grader.engine.rules import HiddenDelta, NetInput, OutputDelta
from grader.engine.trace import Step, Trace

Value = Callable[[str], float]


@dataclass(frozen=True, slots=True)
class Misconception:
    code: str
    kinds: frozenset[str]
    rule: Callable[[Step, Value, Trace], float | None]
    en: str
    zh: str

    def __repr__(self) -> str:
        return f"Misconception({self.code} at {', '.join(sorted(self.kinds))})"


def sibling(key: str, name: str) -> str:
    """The key ``name`` with the same iteration and sample prefix as ``key``."""
    return key[: key.rfind(".") + 1] + name


def node(key: str) -> int:
    """The node number at the end of a z, y or delta key."""
    bare = key.rsplit(".", 1)[-1]
    return int(bare.lstrip("zydelta"))


def apply(step: Step, value: Value) -> float:
    """The step's own (right) rule applied to the values that ``value`` looks up."""
    return step.rule(*[value(k) for k in step.inputs])


def _weighted_sum(weights, ys, value: Value) -> float:
    return sum(value(w) * value(y) for w, y in zip(weights, ys))


def _missing_derivative(step: Step, value: Value, trace: Trace) -> float | None:
    rule = step.rule
    if rule.activation.name == "linear":
        return None
    if isinstance(rule, OutputDelta):
        return rule.sign * rule.loss.gradient(value(step.inputs[0]), rule.target, rule.outputs)
    n = (len(step.inputs) - 1) // 2
    return _weighted_sum(step.inputs[1 : 1 + n], step.inputs[1 + n :], value)


def _derivative_from_z(step: Step, value: Value, trace: Trace) -> float | None:
    rule = step.rule
    if rule.activation.name not in ("sigmoid", "tanh"):
        return None
    z = value(sibling(step.key, f"z{node(step.key)}"))
    wrong = rule.activation.derivative_scalar(z)
    if isinstance(rule, OutputDelta):
        return rule.sign * rule.loss.gradient(value(step.inputs[0]), rule.target, rule.outputs) * wrong
    n = (len(step.inputs) - 1) // 2
    return wrong * _weighted_sum(step.inputs[1 : 1 + n], step.inputs[1 + n :], value)


def _sign_flip(step: Step, value: Value, trace: Trace) -> float | None:
    return -apply(step, value) if isinstance(step.rule, OutputDelta) else None


def _ascent(step: Step, value: Value, trace: Trace) -> float | None:
    old, grad = step.inputs
    return value(old) + step.rule.learning_rate * value(grad)


def _missing_rate(step: Step, value: Value, trace: Trace) -> float | None:
    if step.rule.learning_rate == 1.0:
        return None
    old, grad = step.inputs
    return value(old) - value(grad)


def _updated_weights(step: Step, value: Value, trace: Trace) -> float | None:
    if not isinstance(step.rule, HiddenDelta):
        return None
    n = (len(step.inputs) - 1) // 2
    pre = step.key[: step.key.rfind(".") + 1]
    updated = [f"{pre}new_{w.rsplit('.', 1)[-1].removeprefix('new_')}" for w in step.inputs[1 : 1 + n]]
    if not all(k in trace.steps for k in updated):
        return None
    derivative = step.rule.activation.derivative_scalar(value(step.inputs[0]))
    return derivative * _weighted_sum(updated, step.inputs[1 + n :], value)


def _net_input_in_gradient(step: Step, value: Value, trace: Trace) -> float | None:
    delta, y = step.inputs
    z = sibling(delta, f"z{node(y)}")
    if z not in trace.steps:
        return None
    return step.rule.sign * value(delta) * value(z)


def _loss_without_half(step: Step, value: Value, trace: Trace) -> float | None:
    if step.kind != "E" or step.rule.loss.name != "half_sse":
        return None
    return 2.0 * apply(step, value)


def _threshold_sign(step: Step, value: Value, trace: Trace) -> float | None:
    if trace.exercise.bias != "threshold":
        return None
    if isinstance(step.rule, NetInput):
        n = step.rule.fan_in
        return _weighted_sum(step.inputs[:n], step.inputs[n : 2 * n], value) + value(step.inputs[2 * n])
    return -apply(step, value)


def _layer_activation(step: Step, trace: Trace):
    return trace.steps[sibling(step.key, f"y{node(step.key)}")].rule.activation


def _activation_on_input(step: Step, value: Value, trace: Trace) -> float | None:
    if isinstance(step.rule, NetInput):
        n = step.rule.fan_in
        if trace.steps[step.inputs[n]].kind != "input":
            return None
        f = _layer_activation(step, trace)
        total = sum(value(w) * f.scalar(value(y)) for w, y in zip(step.inputs[:n], step.inputs[n : 2 * n]))
        if step.rule.bias_sign:
            total += step.rule.bias_sign * value(step.inputs[2 * n])
        return total
    delta, y = step.inputs
    if trace.steps[y].kind != "input":
        return None
    f = trace.steps[sibling(delta, f"y{node(delta)}")].rule.activation
    return step.rule.sign * value(delta) * f.scalar(value(y))


def _swapped_indices(step: Step, value: Value, trace: Trace) -> float | None:
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


CATALOGUE: tuple[Misconception, ...] = (
    Misconception(
        "missing_activation_derivative",
        frozenset({"delta"}),
        _missing_derivative,
        "The delta is missing the activation derivative f'(z): multiply by it (for sigmoid, y(1 - y)).",
        "误差项缺少激活函数的导数 f'(z)：需要乘以它（sigmoid 为 y(1 - y)）。",
    ),
    Misconception(
        "derivative_from_z",
        frozenset({"delta"}),
        _derivative_from_z,
        "The activation derivative was evaluated on the net input z instead of the output y: "
        "for sigmoid it is y(1 - y), not z(1 - z).",
        "激活函数的导数用了净输入 z 而不是输出 y：sigmoid 的导数是 y(1 - y)，不是 z(1 - z)。",
    ),
    Misconception(
        "target_minus_output",
        frozenset({"delta"}),
        _sign_flip,
        "The output delta has the wrong sign: with delta = dE/dz it starts from (y - t), not (t - y).",
        "输出层误差项的符号反了：当 delta = dE/dz 时应从 (y - t) 开始，而不是 (t - y)。",
    ),
    Misconception(
        "gradient_ascent",
        frozenset({"new_w", "new_b"}),
        _ascent,
        "The update moved along the gradient (w + eta*g): gradient descent moves against it, w - eta*dE/dw.",
        "更新方向沿着梯度 (w + eta*g)：梯度下降应沿负梯度方向，w - eta*dE/dw。",
    ),
    Misconception(
        "updated_weights_in_backprop",
        frozenset({"delta"}),
        _updated_weights,
        "This delta used weights that were already updated: back-propagate with the weights "
        "of the forward pass, and update only after every delta is known.",
        "计算误差项时用了已经更新过的权重：反向传播应使用正向传播时的权重，所有误差项算完后再更新。",
    ),
    Misconception(
        "missing_learning_rate",
        frozenset({"new_w", "new_b"}),
        _missing_rate,
        "The update left out the learning rate: w_new = w - eta * dE/dw.",
        "更新时漏乘了学习率：w_new = w - eta * dE/dw。",
    ),
    Misconception(
        "net_input_in_gradient",
        frozenset({"grad_w"}),
        _net_input_in_gradient,
        "The gradient used the source node's net input z_i: dE/dw_ji = delta_j * y_i, with the output y_i.",
        "梯度用了前一节点的净输入 z_i：dE/dw_ji = delta_j * y_i，应使用输出 y_i。",
    ),
    Misconception(
        "loss_without_half",
        frozenset({"E"}),
        _loss_without_half,
        "The loss is missing the factor 1/2: E = 1/2 * sum (y - t)^2.",
        "误差漏掉了系数 1/2：E = 1/2 * sum (y - t)^2。",
    ),
    Misconception(
        "threshold_sign",
        frozenset({"z", "grad_b"}),
        _threshold_sign,
        "The threshold has the wrong sign: in the M-P model z = sum w*y - theta, so dE/dtheta = -delta.",
        "阈值的符号错了：M-P 神经元模型中 z = sum w*y - theta，因此 dE/dtheta = -delta。",
    ),
    Misconception(
        "activation_on_input",
        frozenset({"z", "grad_w"}),
        _activation_on_input,
        "The activation function was applied to the inputs: input nodes pass their values on unchanged.",
        "对输入层的值用了激活函数：输入层节点直接传递输入值，不做激活。",
    ),
    Misconception(
        "swapped_weight_indices",
        frozenset({"z"}),
        _swapped_indices,
        "The weight indices are swapped: w_ji is the weight on the edge from node i to node j.",
        "权重下标颠倒了：w_ji 是从节点 i 指向节点 j 的连接权重。",
    ),
)

BY_CODE = {m.code: m for m in CATALOGUE}
KINDS = {kind: [m for m in CATALOGUE if kind in m.kinds] for kind in {k for m in CATALOGUE for k in m.kinds}}
