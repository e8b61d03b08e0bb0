"""Optimizers of `kind: training` beyond plain SGD with momentum, as torch.optim writes them.

One function, `update`, does one step of one parameter in whatever sympy numbers it is
given: Floats at the working precision in the run, and the verifier's exact gradient in
the checks, so each printed number is checked against the formula applied to sympy's own
derivative of the loss. The formulas (torch.optim's, with the defaults it documents):

- nesterov: v ← μv + g, θ ← θ − η(g + μv)
- adagrad: G ← G + g², θ ← θ − η g/(√G + ε)
- rmsprop: s ← ρs + (1 − ρ)g², θ ← θ − η g/(√s + ε)
- adam: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ),
  θ ← θ − η m̂/(√v̂ + ε)
- weight decay λ: L2 adds λθ to g first (torch's `weight_decay`); decoupled subtracts ηλθ
  from θ in the update (AdamW).
- schedules (torch's StepLR / CosineAnnealingLR stepped once per update): step t uses
  η_t = η·γ^⌊(t−1)/k⌋, or η_t = η_min + (η − η_min)(1 + cos(π(t−1)/T))/2.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Add, Float, Mul, Pow, Symbol

from generator.algebra.fixed_decimal import scientific
from generator.spec.models import TrainingSpec

# Defaults of torch.optim: ε of AdaGrad is 1e-10, of RMSprop and Adam 1e-8.
EPS = {"adagrad": "1e-10", "rmsprop": "1e-8", "adam": "1e-8"}
# The state each optimizer keeps per parameter, then the values it shows without keeping.
STATE = {"sgd": ("v",), "nesterov": ("v",), "adagrad": ("G",), "rmsprop": ("s",),
         "adam": ("m", "v")}
SHOWN = {"adam": ("mhat", "vhat")}


def used(spec: TrainingSpec) -> bool:
    """Anything but plain SGD (with momentum), which training_steps writes as before."""
    return spec.optimizer != "sgd" or bool(spec.weight_decay) or spec.schedule is not None


def exact(value: float | int | str) -> sympy.Rational:
    return sympy.Rational(str(value))


@dataclass(frozen=True)
class Settings:
    """The numbers of one optimizer, exact (0.9 is 9/10)."""

    name: str
    lr: sympy.Rational
    momentum: sympy.Rational
    beta1: sympy.Rational
    beta2: sympy.Rational
    rho: sympy.Rational
    eps: sympy.Rational
    weight_decay: sympy.Rational
    decoupled: bool
    schedule: tuple[str, int, sympy.Rational] | None  # (step|cosine, k or T, γ or η_min)

    @classmethod
    def of(cls, spec: TrainingSpec) -> Settings:
        eps = spec.eps if spec.eps is not None else EPS.get(spec.optimizer, "0")
        sched = spec.schedule
        schedule = None if sched is None else (
            sched.kind, sched.step_size if sched.kind == "step" else sched.t_max,
            exact(sched.gamma if sched.kind == "step" else sched.eta_min))
        return cls(spec.optimizer, exact(spec.lr), exact(spec.momentum), exact(spec.beta1),
                   exact(spec.beta2), exact(spec.rho), exact(eps), exact(spec.weight_decay),
                   spec.decoupled, schedule)

    def rate(self, t: int) -> sympy.Basic:
        """η_t of update t (1-based), exact."""
        if self.schedule is None:
            return self.lr
        kind, k, c = self.schedule
        if kind == "step":
            return self.lr * c ** ((t - 1) // k)
        return c + (self.lr - c) * (1 + sympy.cos(sympy.pi * sympy.Rational(t - 1, k))) / 2


def update(s: Settings, t: int, theta: sympy.Basic, grad: sympy.Basic,
           state: dict[str, sympy.Basic]) -> tuple[dict[str, sympy.Basic], sympy.Basic]:
    """One step of one parameter: the new state (with the shown values, g included) and θ."""
    lr, out = s.rate(t), dict(state)
    g = grad + s.weight_decay * theta if s.weight_decay and not s.decoupled else grad
    out["g"] = g
    if s.name in ("sgd", "nesterov"):
        out["v"] = s.momentum * state["v"] + g
        direction = g + s.momentum * out["v"] if s.name == "nesterov" else out["v"]
    elif s.name == "adagrad":
        out["G"] = state["G"] + g**2
        direction = g / (sympy.sqrt(out["G"]) + s.eps)
    elif s.name == "rmsprop":
        out["s"] = s.rho * state["s"] + (1 - s.rho) * g**2
        direction = g / (sympy.sqrt(out["s"]) + s.eps)
    else:
        out["m"] = s.beta1 * state["m"] + (1 - s.beta1) * g
        out["v"] = s.beta2 * state["v"] + (1 - s.beta2) * g**2
        out["mhat"] = out["m"] / (1 - s.beta1**t)
        out["vhat"] = out["v"] / (1 - s.beta2**t)
        direction = out["mhat"] / (sympy.sqrt(out["vhat"]) + s.eps)
    decay = lr * s.weight_decay * theta if s.decoupled else 0
    return out, theta - lr * direction - decay


def start(s: Settings) -> dict[str, sympy.Basic]:
    return {k: sympy.Integer(0) for k in STATE[s.name]}


def formula(s: Settings, t: int, theta: sympy.Basic, syms: dict[str, Symbol],
            digits: int, shown: tuple[sympy.Basic, sympy.Basic] | None = None
            ) -> tuple[sympy.Basic, sympy.Basic]:
    """θ_new as the textbook writes it, numbers shown to `digits` (θ, η, ε) or as `shown`
    gives θ and η (as the sheet's other lines print them), symbols for g and the state;
    and its value (full precision) for checking."""
    lr = s.rate(t)

    def rule(th: sympy.Basic, eta: sympy.Basic, eps: sympy.Basic) -> sympy.Basic:
        if s.name in ("sgd", "nesterov"):
            v = syms["v"]
            step = Add(syms["g"], Mul(s.momentum, v)) if s.name == "nesterov" else v
        elif s.name in ("adagrad", "rmsprop"):
            acc = syms["G" if s.name == "adagrad" else "s"]
            step = Mul(syms["g"], Pow(Add(sympy.sqrt(acc), eps), -1))
        else:
            step = Mul(syms["mhat"], Pow(Add(sympy.sqrt(syms["vhat"]), eps), -1))
        out = Add(th, Mul(-1, eta, step))
        if s.decoupled and s.weight_decay:
            out = Add(out, Mul(-1, eta, s.weight_decay, th))
        return out

    with sympy.evaluate(False):
        th, eta = shown or (Float(theta, digits), Float(sympy.N(lr, 40), digits))
        line = rule(th, eta, scientific(s.eps))  # 10^{-8}, not 1.0·10^{-8}
    return line, rule(theta, lr, s.eps)


PREV, GRAD, THETA = Symbol("opt_prev"), Symbol("opt_grad"), Symbol("opt_theta")


def state_formula(s: Settings, t: int, key: str, syms: dict[str, Symbol]
                  ) -> tuple[sympy.Basic, dict[Symbol, sympy.Rational]]:
    """A state value's new value as a TA writes the numbers in, over PREV (its value
    before the update), GRAD (the gradient it reads), THETA and `syms` (m and v already
    updated, for m̂ and v̂); and the constants (β₁, 1 − β₁, …), exact, to be put in."""
    consts: dict[Symbol, sympy.Rational] = {}

    def c(name: str, value: sympy.Rational) -> Symbol:
        sym = Symbol(f"opt_const_{name}")
        consts[sym] = value
        return sym

    def power(name: str, base: sympy.Rational) -> sympy.Basic:
        # β₁ᵗ: 1 − 0.9 at the first update, not 1 − 0.9¹.
        return c(name, base) if t == 1 else Pow(c(name, base), t, evaluate=False)

    def decayed(keep: sympy.Rational, name: str, new: sympy.Basic) -> sympy.Basic:
        return Add(Mul(c(name, keep), PREV, evaluate=False),
                   Mul(c(f"1-{name}", 1 - keep), new, evaluate=False), evaluate=False)

    square = Pow(GRAD, 2, evaluate=False)
    if key == "g":
        line = Add(GRAD, Mul(c("lambda", s.weight_decay), THETA, evaluate=False), evaluate=False)
    elif key == "v" and s.name in ("sgd", "nesterov"):
        line = Add(Mul(c("mu", s.momentum), PREV, evaluate=False), GRAD, evaluate=False)
    elif key == "G":
        line = Add(PREV, square, evaluate=False)
    elif key == "s":
        line = decayed(s.rho, "rho", square)
    elif key in ("m", "v"):
        line = decayed(*((s.beta1, "beta1", GRAD) if key == "m" else (s.beta2, "beta2", square)))
    else:
        base, beta = (syms["m"], s.beta1) if key == "mhat" else (syms["v"], s.beta2)
        line = Mul(base, Pow(Add(1, Mul(-1, power(key, beta), evaluate=False),
                                 evaluate=False), -1, evaluate=False), evaluate=False)
    return line, consts
