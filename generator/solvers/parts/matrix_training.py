"""`kind: training` with `form: matrix`: each gradient-descent step as the textbook writes it.

Per step t, with the batch's samples as the rows of X and y (parts/matrix_training_model.py
found the model): the forward pass ŷ = Xw + b𝟏 (logistic: z, then p = σ(z)), the residual
δ = (1/n)(ŷ − y), the gradient ∇_w L = Xᵀδ + λw = (1/n)Xᵀ(ŷ − y) + λw and ∂L/∂b = 𝟏ᵀδ,
then the update (with momentum, v ← μv + ∇ first). Each line is a named matrix line, the
same with the numbers filled in, and its value.

What is checked: every left side means the scalar graph's own value (the prediction node
of each sample; ∂ℓ/∂z by sympy; the mean over the batch of sympy's derivative of the
inlined loss; the update applied to that), at the point the scalar training run reached
(training_steps.run: its θ^(t−1), taken exactly), so a matrix line is compared entry by
entry with the scalar route. The decimals shown are checked as the correct rounding of the
exact value, and w^(t) is checked against the run's own θ^(t) to its working precision.
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath
import sympy
from sympy import ImmutableMatrix, Symbol

from generator.algebra.fixed_decimal import fixed_decimal
from generator.algebra.functions import sigmoid
from generator.algebra.matrices import Named, add, column, entries, mul, shape_tex, sub, t
from generator.algebra.numbers import DPS, as_decimal, decimal_text, evaluated, mp_value
from generator.algebra.trace import Block, Section, Step
from generator.graph.model import Graph
from generator.solvers.parts.matrix_training_model import LinearModel
from generator.solvers.parts.training_steps import Run, _samples
from generator.spec.models import TrainingSpec

Values = dict[Symbol, sympy.Basic]


class Page:
    """The names and exact values of one run's matrices, and lines with numbers put in."""

    def __init__(self, spec: TrainingSpec, graph: Graph, r: Run, m: LinearModel) -> None:
        self.spec, self.graph, self.r, self.m = spec, graph, r, m
        self.places = spec.precision
        self.samples = _samples(spec, graph)
        self.lr = sympy.nsimplify(spec.lr)
        self.mu = sympy.nsimplify(spec.momentum)
        loss = graph.inline(graph.loss).xreplace(dict(graph.constants))
        self.slope = {q: sympy.diff(loss, q) for q in m.params}
        self.loss_tex = graph.latex[graph.loss]
        self.full = spec.batch_size == len(spec.data)  # X, not X_𝓑ₜ

    def sym(self, kind: str, t_: int, i: int, extra: Values, value: sympy.Basic,
            tex: str = "") -> Symbol:
        """A local name whose meaning (the verifier's) is `value`; `tex` when printed."""
        s = Symbol(f"mt_{kind}_{t_}_{i}")
        extra[s] = value
        if tex:
            self.r.names[s] = tex
        return s

    def shown(self, value: sympy.Basic) -> sympy.Basic:
        """A number as printed inside a line: rounded to `places` decimals, held as the
        exact Rational of that decimal (printed as the decimal: the solution is marked
        decimal), so the read-back multiplies out exactly what the page shows."""
        return sympy.Rational(self._text(value))

    def _text(self, value: sympy.Basic) -> str:
        with mpmath.workdps(DPS):
            return decimal_text(mp_value(value, {}), self.places)

    def filled(self, expr: sympy.Basic, extra: Values) -> tuple[sympy.Basic, sympy.Basic]:
        """The line with numbers for names: as printed (short decimals) and exact."""
        named = {a for a in sympy.preorder_traversal(expr) if isinstance(a, Named)}

        def put(number: Callable[[list[sympy.Basic]], list[sympy.Basic]]) -> sympy.Basic:
            swaps: dict[sympy.Basic, sympy.Basic] = {
                n: ImmutableMatrix(n.grid.rows, n.grid.cols, number(
                    [e.xreplace(extra) for e in n.grid])) for n in named}
            scalars = {s: number([extra[s]])[0] for s in expr.free_symbols if s in extra}
            # Unevaluated, so b⁽⁰⁾ − 0.1·∂L/∂b stays 0 − 0.1·(−2) on the page.
            with sympy.evaluate(False):
                return expr.xreplace(swaps).xreplace(scalars)
        return put(self.printed), put(lambda v: v)

    def printed(self, cells: list[sympy.Basic]) -> list[sympy.Basic]:
        """A matrix's numbers as its own line printed them: a matrix that was rounded
        (≈) keeps `places` decimals in every entry, so a later line shows δ as
        [−1.000000, −0.333333], not [−1, −0.333333]; exact short decimals stay as they are."""
        shown = [self.shown(c) for c in cells]
        if all(c.is_Rational and c == s for c, s in zip(cells, shown, strict=True)):
            return shown
        return [fixed_decimal(s, self.places) for s in shown]

    def lines(self, lhs: sympy.Basic, formula: sympy.Basic, rule: str, extra: Values,
              more: tuple[sympy.Basic, ...] = ()) -> list[Step]:
        """lhs = formula (= more) = numbers put in ≈ value (= when exact)."""
        out = [Step(rule, formula, lhs=lhs)]
        out += [Step("matrix_substitute", f) for f in more]
        shown, exact = self.filled(formula, extra)
        if not isinstance(exact, sympy.MatrixExpr | sympy.MatrixBase):
            exact = evaluated(exact)  # a scalar line's number, not the tree 0 − 0.1·(−2)
        out.append(Step("matrix_fill", shown, value=exact))
        out.append(self.value_line(exact))
        return out

    def value_line(self, exact: sympy.Basic) -> Step:
        """= the value when every entry is a short decimal, else ≈ it rounded (checked as
        the correct rounding of the exact value)."""
        shape = exact.shape if isinstance(exact, sympy.MatrixBase | sympy.MatrixExpr) else None
        # The filled-in line is built unevaluated (0 − 0.1·(−2)): its value is worked out.
        cells = [evaluated(c) for c in (entries(exact) if shape is not None else [exact])]
        shape = None if shape == (1, 1) else shape  # 𝟏ᵀδ is a number, not [number]
        texts = [self._text(v) for v in cells]
        if all(v.is_Rational and sympy.Rational(x) == v for v, x in zip(cells, texts,
                                                                       strict=True)):
            return Step("matrix_value", _pack([sympy.Rational(x) for x in texts], shape))
        printed = [_decimal(x) for x in texts]
        return Step("approximate", _pack(printed, shape),
                    value=_pack([sympy.Rational(x) for x in texts], shape),
                    relation=r"\approx", digits=self.places)


def _over(scale: sympy.Rational, n: int) -> sympy.Basic:
    """scale/n kept as a fraction (1/2, not 0.5, in a sheet of decimals): the 1/n of the
    mean as the textbook writes it."""
    inverse = sympy.Pow(n, -1, evaluate=False)
    return inverse if scale == 1 else sympy.Mul(scale, inverse, evaluate=False)


def _pack(cells: list[sympy.Basic], shape: tuple[int, int] | None) -> sympy.Basic:
    return cells[0] if shape is None else ImmutableMatrix(shape[0], shape[1], cells)


def _decimal(text: str) -> sympy.Float:
    """A decimal text as a Float that prints it (−0.052000 keeps its places)."""
    return sympy.Float(text, max(1, len(text.lstrip("-").replace(".", "").lstrip("0"))))


def _exact(value: sympy.Basic) -> sympy.Basic:
    return value if value.is_Rational else sympy.Rational(value)


class Stepper:
    """The sections of one run, step by step; `point` is where the next step starts."""

    def __init__(self, page: Page) -> None:
        self.p = page
        m, spec, graph = page.m, page.spec, page.graph
        init = {graph.names[k]: sympy.nsimplify(v) for k, v in spec.init.items()}
        self.point: Values = {q: init[q] for q in m.params}
        self.velocity: Values = {q: sympy.Integer(0) for q in m.params}
        self.dz = _local_slope(m)

    def tex(self, q: Symbol, t_: int) -> str:
        return f"{self.p.graph.latex[q]}^{{({t_})}}"

    def section(self, t_: int, batch: list[int]) -> Section:
        p, m = self.p, self.p.m
        n, extra = len(batch), dict[Symbol, sympy.Basic]()
        rows = [p.samples[k - 1] for k in batch]
        start = {q: p.sym("th", t_ - 1, i, extra, self.point[q], self.tex(q, t_ - 1))
                 for i, q in enumerate(m.params)}
        at = {q: self.point[q] for q in m.params}
        mats = _Mats(p, t_, n, rows, start)
        pred = p.graph.inline(m.pred).xreplace(dict(p.graph.constants))
        preds = [pred.xreplace({**r, **at}) for r in rows]
        P = column(mats.pred_tex, [p.sym("pred", t_, k, extra, v) for k, v in enumerate(preds)])
        blocks = [self._forward(mats, P, rows, at, extra)]
        # δ's entries: ∂ℓ/∂ŷ at ŷ, or ∂ℓ/∂z at z (the argument of σ) for logistic.
        args = [v.args[0] if m.logistic else v for v in preds]
        D = column(r"\boldsymbol{\delta}", [
            p.sym("delta", t_, k, extra, self.dz(v, r[m.target]) / n)
            for k, (v, r) in enumerate(zip(args, rows, strict=True))])
        blocks.append(Block(f"training_matrix_delta_{'logistic' if m.logistic else 'linear'}",
                            {"shape": shape_tex(D)}, tuple(p.lines(
                                D, mul(_over(m.scale, n), sub(P, mats.y)), "matrix_delta",
                                extra)),
                            extra=extra))
        grads = {q: p.sym("grad", t_, i, extra, sympy.Add(*[
            p.slope[q].xreplace({**r, **at}) for r in rows]) / n)
            for i, q in enumerate(m.params)}
        blocks.append(self._gradient(mats, P, D, grads, extra))
        blocks.append(self._update(t_, mats, grads, extra))
        return Section("training_matrix_step", tuple(blocks), params={"t": str(t_)})

    def _forward(self, mats: _Mats, P: Named, rows: list[Values], at: Values, extra: Values
                 ) -> Block:
        p, m = self.p, self.p.m
        affine = mats.affine()
        n = len(rows)
        if not m.logistic:
            return Block("training_matrix_forward_linear", mats.params(), tuple(
                p.lines(P, affine, "matrix_definition", extra)), extra=extra)
        inner = p.graph.inline(m.pred).xreplace(dict(p.graph.constants)).args[0]
        Z = column(r"\mathbf{z}", [p.sym("z", mats.t, k, extra, inner.xreplace({**r, **at}))
                                   for k, r in enumerate(rows)])
        steps = p.lines(Z, affine, "matrix_definition", extra)
        sig = Named(r"\sigma(\mathbf{z})", [[sigmoid(z)] for z in Z.grid])
        steps.append(Step("matrix_definition", sig, lhs=P))
        steps.append(p.value_line(ImmutableMatrix(n, 1, [sigmoid(extra[z]) for z in Z.grid])))
        return Block("training_matrix_forward_logistic", mats.params(), tuple(steps),
                     extra=extra)

    def _gradient(self, mats: _Mats, P: Named, D: Named, grads: dict[Symbol, Symbol],
                  extra: Values) -> Block:
        p, m = self.p, self.p.m
        n = len(D.grid)
        G = column(rf"\nabla_{{\mathbf{{w}}}} {p.loss_tex}", [grads[w] for w in m.weights])
        core, spelled = mul(t(mats.X), D), mul(_over(m.scale, n), t(mats.X), sub(P, mats.y))
        if m.lam:
            core, spelled = add(core, mul(m.lam, mats.W)), add(spelled, mul(m.lam, mats.W))
        steps = p.lines(G, core, "matrix_chain_rule", extra, (spelled,))
        if m.bias is not None:
            gb = grads[m.bias]
            p.r.names[gb] = rf"\frac{{\partial {p.loss_tex}}}{{\partial {p.graph.latex[m.bias]}}}"
            steps += p.lines(gb, mul(t(mats.ones), D), "matrix_chain_rule", extra)
        shape = rf"({shape_tex(t(mats.X))})\,({shape_tex(D)}) = {shape_tex(G)}"
        return Block("training_matrix_gradient", {"shape": shape}, tuple(steps), extra=extra)

    def _update(self, t_: int, mats: _Mats, grads: dict[Symbol, Symbol], extra: Values
                ) -> Block:
        p, m = self.p, self.p.m
        lr, mu = p.lr, p.mu
        steps: list[Step] = []
        direction = dict(grads)
        if mu:
            old = {q: p.sym("v0", t_, i, extra, self.velocity[q], _v_tex(p, q, t_ - 1))
                   for i, q in enumerate(m.params)}
            new = {q: p.sym("v1", t_, i, extra, mu * self.velocity[q] + extra[grads[q]],
                            _v_tex(p, q, t_)) for i, q in enumerate(m.params)}
            V0 = column(rf"\mathbf{{v}}^{{({t_ - 1})}}", [old[w] for w in m.weights])
            V1 = column(rf"\mathbf{{v}}^{{({t_})}}", [new[w] for w in m.weights])
            G = column(rf"\nabla_{{\mathbf{{w}}}} {p.loss_tex}", [grads[w] for w in m.weights])
            steps += p.lines(V1, add(mul(mu, V0), G), "momentum", extra)
            if m.bias is not None:
                b = m.bias
                steps += p.lines(new[b], _scalar(mu * old[b], grads[b]), "momentum", extra)
            direction = new
        after = {q: p.sym("th1", t_, i, extra, extra[mats.start[q]] - lr * extra[direction[q]],
                          self.tex(q, t_)) for i, q in enumerate(m.params)}
        W1 = column(rf"\mathbf{{w}}^{{({t_})}}", [after[w] for w in m.weights])
        step_w = column(mats.G_tex if not mu else rf"\mathbf{{v}}^{{({t_})}}",
                        [direction[w] for w in m.weights])
        steps += p.lines(W1, sub(mats.W, mul(lr, step_w)), "sgd_update", extra)
        if m.bias is not None:
            b = m.bias
            steps += p.lines(after[b], _scalar(mats.start[b], sympy.Mul(
                -1, lr, direction[b], evaluate=False)),
                             "sgd_update", extra)
        self._advance(t_, {q: extra[after[q]] for q in m.params},
                      {q: extra[direction[q]] for q in m.params} if mu else None)
        return Block("training_matrix_momentum" if mu else "training_matrix_update",
                     {"lr": lr, "mu": mu}, tuple(steps), extra=extra)

    def _advance(self, t_: int, theta: Values, velocity: Values | None) -> None:
        """The next step starts where the scalar run is: its θ^(t), which must agree with
        this step's exact value to the run's working precision (else a bug, not a user's)."""
        r = self.p.r
        for q, value in theta.items():
            ran = r.thetas[t_][q]
            tol = sympy.Float(10, r.dps) ** (5 - r.dps) * max(1, abs(ran))
            if abs(sympy.N(value, r.dps + 10) - ran) > tol:
                raise RuntimeError(f"matrix step {t_}: {q} = {sympy.N(value, 20)} but the "
                                   f"training run has {sympy.N(ran, 20)}")
            self.point[q] = value if value.is_Rational else _exact(ran)
            if velocity is not None:
                v = velocity[q]
                self.velocity[q] = v if v.is_Rational else _exact(r.velocities[t_ - 1][q])


def _v_tex(p: Page, q: Symbol, t_: int) -> str:
    return f"v_{{{p.graph.latex[q]}}}^{{({t_})}}"


def _scalar(a: sympy.Basic, b: sympy.Basic) -> sympy.Basic:
    return sympy.Add(a, sympy.Mul(*sympy.Mul.make_args(b), evaluate=False), evaluate=False)


def _local_slope(m: LinearModel) -> Callable[[sympy.Basic, sympy.Basic], sympy.Basic]:
    """∂ℓ/∂ŷ (linear) or ∂ℓ/∂z (logistic) of one sample's loss, by sympy: the meaning of
    δ's entries, found apart from the formula (1/n)(ŷ − y) the page writes."""
    z = Symbol("z_slope")
    body = m.data_loss.xreplace({m.pred: sigmoid(z)}) if m.logistic else m.data_loss.xreplace(
        {m.pred: z})
    d = sympy.diff(body, z)
    return lambda value, y: d.xreplace({z: value, m.target: y})


class _Mats:
    """One step's given matrices: X and y of the batch, w and b where the step starts."""

    def __init__(self, p: Page, t_: int, n: int, rows: list[Values],
                 start: dict[Symbol, Symbol]) -> None:
        m = p.m
        self.t, self.n, self.start, self.bias = t_, n, start, m.bias
        sub_ = "" if p.full else rf"_{{\mathcal{{B}}_{{{t_}}}}}"
        self.X = Named(f"X{sub_}", [[r[c] for c in m.columns] for r in rows])
        self.y = column(rf"\mathbf{{y}}{sub_}", [r[m.target] for r in rows])
        self.W = column(rf"\mathbf{{w}}^{{({t_ - 1})}}", [start[w] for w in m.weights])
        self.ones = column(r"\mathbf{1}", [1] * n)
        base = p.graph.latex[m.pred]
        self.pred_tex = (rf"\hat{{\mathbf{{{base[5:-1]}}}}}" if base.startswith(r"\hat{")
                         else rf"\mathbf{{{base}}}")
        self.G_tex = rf"\nabla_{{\mathbf{{w}}}} {p.loss_tex}"

    def affine(self) -> sympy.Basic:
        """Xw + b𝟏 (Xw without a bias)."""
        base = mul(self.X, self.W)
        return base if self.bias is None else add(base, mul(self.start[self.bias], self.ones))

    def params(self) -> dict[str, sympy.Basic | str]:
        return {"n": str(self.n), "shape": shape_tex(self.y)}


def sections(spec: TrainingSpec, graph: Graph, r: Run, m: LinearModel) -> list[Section]:
    stepper = Stepper(Page(spec, graph, r, m))
    return [stepper.section(t_, batch) for t_, batch in enumerate(r.batches, start=1)]


def rule_params(spec: TrainingSpec, graph: Graph, m: LinearModel) -> dict[str, sympy.Basic | str]:
    """The sentence that states the matrix form once: shapes and each step's formulas."""
    loss = graph.latex[graph.loss]
    base = graph.latex[m.pred]
    pred = (rf"\hat{{\mathbf{{{base[5:-1]}}}}}" if base.startswith(r"\hat{")
            else rf"\mathbf{{{base}}}")
    affine = r"X\mathbf{w}" + ("" if m.bias is None else
                               rf" + {graph.latex[m.bias]}\mathbf{{1}}")
    forward = (rf"\mathbf{{z}} = {affine},\ {pred} = \sigma(\mathbf{{z}})" if m.logistic
               else f"{pred} = {affine}")
    grad = rf"\nabla_{{\mathbf{{w}}}} {loss} = X^{{T}}\boldsymbol{{\delta}}" + (
        rf" + {sympy.latex(as_decimal(m.lam))}\,\mathbf{{w}}" if m.lam else "")
    if m.bias is not None:
        b = graph.latex[m.bias]
        grad += (rf",\ \frac{{\partial {loss}}}{{\partial {b}}} = "
                 r"\mathbf{1}^{T}\boldsymbol{\delta}")
    update = (r"\mathbf{v} \leftarrow \mu\mathbf{v} + \nabla_{\mathbf{w}} " + loss
              + r",\ \mathbf{w} \leftarrow \mathbf{w} - \eta\mathbf{v}" if spec.momentum
              else r"\mathbf{w} \leftarrow \mathbf{w} - \eta\nabla_{\mathbf{w}} " + loss)
    return {"n": str(spec.batch_size), "d": str(len(m.weights)), "forward": forward,
            "delta": rf"\boldsymbol{{\delta}} = \frac{{{sympy.latex(m.scale)}}}{{n}}"
                     rf"({pred} - \mathbf{{y}})",
            "grad": grad, "update": update, "places": str(spec.precision)}
