"""Turns a validated spec into a `Graph`: leaves, written nodes, `for:` families, layers.

Written nodes and layers may use each other: every name is declared first, bodies are
parsed after the layers, and the graph is put in dependency order at the end.

Layer macros (`layers/`) are written against the `Builder` protocol (builder.py), which
`Compiler` implements; they never see this module.
"""

from __future__ import annotations

import itertools

import sympy
from sympy import Symbol

from generator.algebra.expr import ExprError, parse
from generator.algebra.functions import FUNCTIONS
from generator.errors import SpecError, SpecErrors
from generator.graph import families
from generator.graph.layers import expand
from generator.graph.meaning import relabel_dense_outputs
from generator.graph.model import Family, Graph, default_latex, element_name
from generator.limits import MAX_NODE_OPS
from generator.spec.models import ForNode, GraphSpec
from generator.spec.source import KeyPath, Source

MAX_NODES = 20_000


class Compiler:
    """Turns a validated spec into a Graph, collecting every error with its line."""

    def __init__(self, spec: GraphSpec, source: Source) -> None:
        self.spec = spec
        self.source = source
        self.g = Graph()
        self.errors: list[SpecError] = []
        self.pending: list[families.Written] = []
        self.bad_families: set[Family | None] = set()

    def fail(self, keys: KeyPath, message: str, hint: str = "") -> None:
        self.errors.append(SpecError(self.source.at(keys), message, hint))

    def declare(self, name: str, role: str, keys: KeyPath, latex: str | None = None) -> Symbol:
        if name in self.g.names:
            self.fail(keys, f"name {name!r} is defined twice", "every name must be unique")
            return self.g.names[name]
        if name in FUNCTIONS or name.startswith("_") or not name.isidentifier():
            self.fail(keys, f"{name!r} cannot be used as a name", "use letters and digits")
        sym = Symbol(name, real=True)
        self.g.names[name] = sym
        self.g.roles[sym] = role
        self.g.latex[sym] = latex or default_latex(name)
        self.g.lines[sym] = self.source.line(keys) or 0
        return sym

    def parse(self, text: object, keys: KeyPath) -> sympy.Expr | None:
        try:
            expr: sympy.Expr = parse(text, self.g.names)
        except ExprError as exc:
            self.fail(keys, exc.message, exc.hint)
            return None
        if sympy.count_ops(expr) > MAX_NODE_OPS:
            self.fail(keys, f"expression has more than {MAX_NODE_OPS} operations",
                      "split it into several nodes")
            return None
        return expr

    def leaves(self) -> None:
        spec = self.spec
        for role, table in (("input", spec.inputs), ("param", spec.params),
                            ("hyper", spec.hypers)):
            for name, decl in table.items():
                keys = (f"{role}s", name)
                if decl.shape is None:
                    self.declare(name, role, keys, decl.latex)
                    continue
                base_tex = decl.latex or default_latex(name)
                array: dict[tuple[int, ...], Symbol] = {}
                ranges = [range(decl.index_base, decl.index_base + n) for n in decl.shape]
                for index in itertools.product(*ranges):
                    sub = "".join(map(str, index)) if max(index) <= 9 else ",".join(map(str, index))
                    array[index] = self.declare(element_name(name, index), role, keys,
                                                f"{base_tex}_{{{sub}}}")
                self.g.arrays[name] = array
        for name, value in spec.constants.items():
            sym = self.declare(name, "constant", ("constants", name))
            parsed = self.parse(value, ("constants", name))
            if parsed is not None:
                self.g.constants[sym] = parsed

    def add_node(self, name: str, body: sympy.Expr, keys: KeyPath,
                 display: sympy.Expr | None = None, latex: str | None = None) -> Symbol:
        if len(self.g.nodes) >= MAX_NODES:
            self.fail(keys, f"graph has more than {MAX_NODES} nodes")
            raise SpecErrors(self.errors)
        sym = self.declare(name, "node", keys, latex or self.spec.latex.get(name))
        self.g.nodes[sym] = body
        self.g.display[sym] = body if display is None else display
        return sym

    def written_names(self) -> None:
        # Names first, so a node may use another node or a layer output written below it;
        # the order of the graph is fixed once every body is known (`order`).
        for name, value in self.spec.nodes.items():
            keys: KeyPath = ("nodes", name)
            if isinstance(value, ForNode):
                try:
                    self.pending.extend(families.expand(name, value, keys, self.g, MAX_NODES))
                except ExprError as exc:
                    self.fail(keys, exc.message, exc.hint)
            else:
                self.pending.append(families.Written(name, str(value), keys))
        for w in self.pending:
            sym = self.declare(w.name, "node", w.keys[:2], self.spec.latex.get(w.name))
            self.g.written.add(sym)
            if w.fam:
                self.g.family[sym] = w.fam

    def written_bodies(self, quiet: bool) -> None:
        """Parse the bodies not parsed yet; `quiet` leaves those naming a layer output for later
        (before the layers run, so a layer such as max pooling sees the nodes it reads)."""
        bodies: dict[Symbol, sympy.Expr] = {}
        for w in self.pending:
            sym = self.g.names[w.name]
            if sym in self.g.nodes:
                continue
            body = self.quiet_parse(w.text) if quiet else self.member_parse(w)
            if body is not None:
                bodies[sym] = body
        for sym in self.topological(bodies):
            self.g.nodes[sym] = bodies[sym]
            self.g.display[sym] = bodies[sym]

    def quiet_parse(self, text: str) -> sympy.Expr | None:
        try:
            expr: sympy.Expr = parse(text, self.g.names)
        except ExprError:
            return None
        return expr if sympy.count_ops(expr) <= MAX_NODE_OPS else None

    def member_parse(self, w: families.Written) -> sympy.Expr | None:
        wrong = families.reference_error(w, self.g)
        if wrong is not None:
            if w.fam not in self.bad_families:  # the first member says it for the family
                self.fail(w.keys, *wrong)
            self.bad_families.add(w.fam)
            return None
        return self.parse(w.text, w.keys)

    def order(self) -> None:
        """Put every node after the nodes it uses (written nodes may use layer outputs)."""
        for sym in self.topological(dict(self.g.nodes)):
            self.g.nodes[sym] = self.g.nodes.pop(sym)
            self.g.display[sym] = self.g.display.pop(sym)

    def topological(self, bodies: dict[Symbol, sympy.Expr]) -> list[Symbol]:
        order: list[Symbol] = []
        state: dict[Symbol, int] = {}

        def visit(sym: Symbol, trail: tuple[Symbol, ...]) -> None:
            if state.get(sym) == 2:
                return
            if state.get(sym) == 1:
                cycle = " → ".join(s.name for s in (*trail[trail.index(sym):], sym))
                self.fail(("nodes", sym.name), f"cycle in the graph: {cycle}",
                          "a node cannot depend on itself")
                raise SpecErrors(self.errors)
            state[sym] = 1
            for dep in sorted(bodies[sym].free_symbols, key=str):
                if dep in bodies:
                    visit(dep, (*trail, sym))
            state[sym] = 2
            order.append(sym)

        for sym in bodies:
            visit(sym, ())
        return order

    def layers(self) -> None:
        for i, layer in enumerate(self.spec.layers):
            macro = layer.macro
            expand(self, macro, ("layers", i, type(macro).__name__.lower()))

    def finish(self) -> Graph:
        loss = self.g.names.get(self.spec.loss)
        if loss is None or loss not in self.g.nodes:
            self.fail(("loss",), f"loss {self.spec.loss!r} is not a node",
                      "name a node defined under nodes: or made by a layer")
        else:
            self.g.loss = loss
        if self.errors:
            raise SpecErrors(self.errors)
        relabel_dense_outputs(self.g)
        return self.g


def compile_graph(spec: GraphSpec, source: Source) -> Graph:
    c = Compiler(spec, source)
    c.leaves()
    c.written_names()
    if c.errors:  # a family that did not expand would leave its names unknown below
        raise SpecErrors(c.errors)
    c.written_bodies(quiet=True)
    c.layers()
    c.written_bodies(quiet=False)
    if c.errors:
        raise SpecErrors(c.errors)
    c.order()
    return c.finish()

