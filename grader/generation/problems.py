"""What the generator says: a template's bad fields, unmet constraints and failed generations,
each a code with its English and Chinese text (``grader.engine.problems``, where the engine's own
codes are).  Imported by ``grader.generation`` before any module that raises them."""

from __future__ import annotations

from grader.engine.problems import define

# Templates: their fields, random rules and generator constraints (grader/generation/).
define(
    {
        "template_not_mapping": ("a template must be a mapping of fields", "模板必须是由字段组成的映射"),
        "fixed_in_template": (
            "{key} must be fixed in a template: it decides which keys are asked; make one template per choice",
            "{key} 在模板中必须固定：它决定要求作答哪些键；每种取值各写一个模板",
        ),
        "bias_rule_without_bias": (
            "a rule for biases, but bias is 'none'; set bias: bias or threshold",
            "给偏置写了规则，但 `bias` 是 `none`；请设为 `bias: bias` 或 `threshold`",
        ),
        "can_draw": (" ({pointer} can draw {value})", "（{pointer} 可能抽到 {value}）"),
        "no_catalogue_template": (
            "no template {name} in the catalogue; it has {names}",
            "模板目录中没有 {name}；现有：{names}",
        ),
        "no_such_file": ("no such file: {path}", "文件不存在：{path}"),
        "constraints_shape": (
            "must be a mapping of constraint settings, got {value}",
            "必须是由约束设置组成的映射，这里是 {value}",
        ),
        "unknown_constraint": ("unknown constraint {name}; known: {known}", "未知的约束 {name}；可用的：{known}"),
        "all_or_layer": ("must be 'all' or 'layer', got {value}", "必须是 `all` 或 `layer`，这里是 {value}"),
        "setting_whole": ("must be a whole number, got {value}", "必须是整数，这里是 {value}"),
        "setting_whole_or_false": (
            "must be a whole number or false, got {value}",
            "必须是整数或 `false`，这里是 {value}",
        ),
        "setting_number": ("must be a number >= 0, got {value}", "必须是不小于 0 的数，这里是 {value}"),
        "setting_number_or_false": (
            "must be a number >= 0 or false, got {value}",
            "必须是不小于 0 的数或 `false`，这里是 {value}",
        ),
        "distinguish_shape": (
            "must map misconception codes to true or false",
            "必须是从误区代码到 `true` 或 `false` 的映射",
        ),
        "unknown_misconception": (
            "unknown misconception {code}; known: {known}",
            "未知的误区 {code}；可用的：{known}",
        ),
        "rule_names": ("a rule names one of {names}, got {got}", "一条规则只能写 {names} 中的一个，这里写了 {got}"),
        "rule_unknown_field": ("unknown field {name} in a {rule} rule", "{rule} 规则中有未知字段 {name}"),
        "uniform_for_names": (
            "uniform draws numbers; use {{choice: [...]}} here ({syntax})",
            "`uniform` 只抽取数值；这里请用 `{{choice: [...]}}`",
        ),
        "choice_shape": ("choice needs a non-empty list, got {value}", "`choice` 需要非空的列表，这里是 {value}"),
        "choice_numbers": ("choice lists numbers here, got {value}", "这里的 `choice` 只能列出数，这里是 {value}"),
        "choice_names": ("choice lists names here, got {value}", "这里的 `choice` 只能列出名称，这里是 {value}"),
        "uniform_bounds": (
            "uniform needs [low, high], two numbers, got {value}",
            "`uniform` 需要 `[low, high]` 两个数，这里是 {value}",
        ),
        "uniform_order": (
            "uniform needs low < high, got [{low}, {high}]",
            "`uniform` 需要 `low < high`，这里是 [{low}, {high}]",
        ),
        "uniform_decimals": (
            "uniform needs decimals: how many decimal places to draw",
            "`uniform` 需要 `decimals`：抽取的数保留几位小数",
        ),
        "decimals_range": ("must be a whole number from 0 to {most}", "必须是 0 到 {most} 之间的整数"),
        "numbers_list": ("must be a list of numbers, got {value}", "必须是数的列表，这里是 {value}"),
        "uniform_empty": (
            "uniform over [{low}, {high}] at {decimals} decimals leaves no value to draw",
            "在 [{low}, {high}] 上保留 {decimals} 位小数的 `uniform` 没有可抽取的值",
        ),
    }
)

# Unmet constraints (grader/generation/constraints.py, distinguishability.py, generator.py); each
# is a Violation.  ``where`` is the pass it happened in, in each language (" (iteration 2)").
define(
    {
        "v_short_numbers": (
            "{name} = {value} has more than {decimals} decimals",
            "{name} = {value} 的小数超过 {decimals} 位",
        ),
        "v_min_abs_parameter": ("|{name}| = {value} < {least}", "|{name}| = {value}，绝对值小于 {least}"),
        "v_distinct_weights": ("{a} = {b} = {value}", "{a} 与 {b} 相等，都是 {value}"),
        "v_min_error": (
            "{y} = {value} is within {least} of its target {target}{where}",
            "{y} = {value} 与目标值 {target} 相差不到 {least}{where}",
        ),
        "v_max_net_input": ("|{z}| = {value} > {most}{where}", "|{z}| = {value}，净输入大于 {most}{where}"),
        "v_min_slope": (
            "{act} node {node} is saturated: {z} = {value}, f' is {slope} of its peak, under {least}{where}",
            "{act} 节点 {node} 已饱和：{z} = {value}，f′ 只有峰值的 {slope}，低于 {least}{where}",
        ),
        "v_leaky_negative": (
            "every leaky ReLU net input ({zs}) is positive",
            "每个 leaky ReLU 节点的净输入（{zs}）都是正数",
        ),
        "v_min_probability": ("{y} = {value} is under {least}{where}", "{y} = {value}，小于 {least}{where}"),
        "v_target_not_top": (
            "the target class {y} = {value} is already the most likely{where}",
            "目标类别 {y} = {value} 已经是概率最大的{where}",
        ),
        "v_relu_margin": (
            "{act} node {node} has {z} = {value}, within {least} of the kink{where}",
            "{act} 节点 {node} 的 {z} = {value}，离拐点不到 {least}{where}",
        ),
        "v_relu_inactive": ("ReLU node {node} is inactive (z <= 0){where}", "ReLU 节点 {node} 未激活（z <= 0）{where}"),
        "v_relu_dead": ("the ReLU layer of nodes {nodes} is dead{where}", "节点 {nodes} 组成的 ReLU 层全部失活{where}"),
        "v_min_gradient": ("dE/d{name} = {value} is below {least}{where}", "dE/d{name} = {value}，小于 {least}{where}"),
        "v_loss_decreases": (
            "E goes from {before} in iteration {k} to {after} in iteration {next}: not down by {drop}",
            "E 从第 {k} 次迭代的 {before} 变为第 {next} 次迭代的 {after}：下降不到 {drop}",
        ),
        "v_visible_change": (
            "{key} = {now} differs from {previous} = {then} by {change}, {ratio} times the default tolerance "
            "({tolerance}), under {factor}",
            "{key} = {now} 与 {previous} = {then} 只相差 {change}，是默认容差（{tolerance}）的 {ratio} 倍，"
            "不到 {factor} 倍",
        ),
        "v_too_close_at": (
            "at {key} the right {right} and the mistaken {wrong} are too close",
            "在 {key}，正确值 {right} 与这个错误得出的值 {wrong} 太接近",
        ),
        "v_too_close_everywhere": (
            "the mistaken values come too close to the right ones at every step it shows ({steps})",
            "在它出现的每一步（{steps}），这个错误得出的值都与正确值太接近",
        ),
        "v_invalid": ("{pointer}: {problem}", "抽到的练习无效：{pointer}：{problem}"),
        "v_unsolvable": ("the exercise cannot be solved: {error}", "这个练习无法求解：{error}"),
    }
)

# Generations that fail (GenerationError, grader/generation/generator.py).
define(
    {
        "g_no_variant": (
            "template {name}: no variant for student {student} (seed {seed}) met the constraints in {spent}. "
            "Unmet most often: {worst} ({count} of {tries}), e.g. {example}.{also} Widen the template's ranges, "
            "or relax {relax}.",
            "模板 {name}：学生 {student}（种子 {seed}）的变体在 {spent}内都不满足约束。最常未满足的是 {worst}"
            "（{tries} 次中有 {count} 次），例如 {example}。{also}请放宽模板的取值范围，或放宽 {relax}。",
        ),
        "g_unsolvable": ("template {name}: cannot be solved: {error}", "模板 {name}：无法求解：{error}"),
        "g_unmet": ("template {name}: {constraint}: {violation}", "模板 {name}：{constraint}：{violation}"),
        "g_no_students": (
            "a set needs at least one student, got {count}",
            "一个练习集至少需要一名学生，这里是 {count}",
        ),
        "g_empty_roster": ("the roster is empty", "名单是空的"),
        "g_bad_student_id": (
            "student id {student}: must be {rule}",
            "学生 ID {student} 不符合要求：1 到 128 个字符，只能用 {characters} 和空格，以字母或数字开头，"
            "不能以空格结尾",
        ),
        "g_repeated_student": (
            "student id {student} appears more than once in the roster",
            "学生 ID {student} 在名单中出现了不止一次",
        ),
        "g_too_few_for_set": (
            "the template gives too few distinct variants for {count} students",
            "模板能给出的不同变体太少，不够 {count} 名学生",
        ),
        "g_too_few_variants": (
            "template {name} gives too few distinct variants for {count} students: {student} keeps getting the "
            "exercise of {other}; widen its ranges",
            "模板 {name} 能给出的不同变体太少，不够 {count} 名学生：{student} 总是抽到与 {other} 相同的题目；"
            "请放宽取值范围",
        ),
    }
)
