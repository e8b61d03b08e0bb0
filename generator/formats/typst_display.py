"""Where a display breaks over pages in a typst PDF (issue 15): solgen's own typst code.

typst_blocks.py wraps each paragraph that holds a display in `solgen-display`, defined by
SOURCE at the top of the document's body (solgen's code, not the theme's: a page template
of one's own still gets it, and the template's rule against loops is about the theme).
Where the display falls is only known to typst, so typst decides:
- a display that fits where it falls, or one that would leave at most a fifth of the text
  height empty if moved whole (five lines or so: what a display that does not fit leaves
  in most books), is one unbreakable block with the sentence leading into it, as before:
  it moves to the next page whole;
- any other is broken between two rows where a new line of the derivation starts (a row
  `& = …` / `& ≈ …`, or one with its own left side; never inside a sum broken over rows,
  `& + …`), with at least two rows on either side, as late on the page as fits. Each
  piece is kept whole; each after the first starts a page with the word `cont` ("(cont.)"
  / "（續）") and the left side its first row goes on from, so the page reads on its own;
- a display taller than a page is broken so as often as it takes, at any row when no `=`
  row fits a page (before, typst cut off what did not fit).
Heights are typst's own (`measure`). Where the display falls is read from a mark placed
before it out of the flow (`place`): a position taken inside the display, or from a mark
in the flow, moves with the display to the next page, and the display then fits there.
"""

from __future__ import annotations

SOURCE = r"""#let solgen-space = [ ].func()
// An alignment point `&` (typst does not name its element function).
#let solgen-align(kid) = repr(kid.func()) == "align-point"
#let solgen-trim(row) = {
  let first = row.position(kid => kid.func() != solgen-space)
  if first == none { () } else { row.slice(first) }
}
#let solgen-rows(equation) = {
  let body = equation.body
  let rows = ((),)
  for kid in if body.has("children") { body.children } else { (body,) } {
    if kid.func() == linebreak { rows.push(()) } else { rows.last().push(kid) }
  }
  rows.map(solgen-trim)
}
// A row's two sides, at its alignment point (a row without one is all left side).
#let solgen-sides(row) = {
  let at = row.position(solgen-align)
  if at == none { (row, ()) } else { (row.slice(0, at), solgen-trim(row.slice(at + 1))) }
}
// `& = …`: the row goes on from the left side above it.
#let solgen-continues(row) = {
  let (left, right) = solgen-sides(row)
  left.len() == 0 and right.len() > 0 and right.first().has("text") and right.first().text in ("=", "≈", "≤", "≥", "<", ">")
}
// Where a new line of the derivation starts: a row of its own left side, or `& = …`.
#let solgen-cut(row) = solgen-sides(row).first().len() > 0 or solgen-continues(row)
#let solgen-inline(kids) = math.equation(block: false, math.display(kids.join()))
#let solgen-display(cont: "(cont.)", sticky: false, body) = context {
  let whole = block(width: 100%, breakable: false, sticky: sticky, body)
  let kids = if body.has("children") { body.children } else { (body,) }
  let at = kids.position(kid => kid.func() == math.equation and kid.block)
  if at == none { return whole }
  let rows = solgen-rows(kids.at(at))
  let sides = rows.map(solgen-sides)
  let margin = page.margin
  let side(name) = {
    let edge = if type(margin) == dictionary { margin.at(name, default: auto) } else { margin }
    if edge == auto { 2.5 / 21 * calc.min(page.width, page.height) }
    else if type(edge) == relative { edge.length.to-absolute() + edge.ratio * calc.min(page.width, page.height) }
    else { edge.to-absolute() }
  }
  let (top, width) = (side("top"), page.width - side("left") - side("right"))
  let full = page.height - top - side("bottom")
  if measure(block(width: width, body)).height <= full / 5 or rows.any(r => r.filter(solgen-align).len() > 1) { return whole }
  // Groups: rows from one new line of the derivation to the next, at least two rows at
  // either end of the display.
  let starts = range(1, rows.len()).filter(k => solgen-cut(rows.at(k)) and k >= 2 and k <= rows.len() - 2)
  if starts.len() < 1 { return whole }
  let bounds = (0, ..starts, rows.len())
  let reach = calc.max(..sides.map(s => measure(solgen-inline(s.first())).width))
  let line(k, lead) = {
    let (l, r) = sides.at(k)
    let shown = if lead != none { lead } else { l }
    let pad = reach - if shown.len() > 0 { measure(solgen-inline(shown)).width } else { 0pt }
    math.equation(block: true, [#h(pad)] + shown.join() + [#""] + r.join())
  }
  let span = calc.max(..range(rows.len()).map(k => measure(line(k, none)).width))
  if span > width { return whole }
  let above(k) = sides.slice(0, k).rev().find(s => s.first().len() > 0)
  // A group that starts a page: the word `cont` at the text's left edge and, when its
  // first row is `& = …`, the left side it goes on from (the page reads on its own).
  let row(k, first) = context {
    let opens = first and k > 0 and here().position().y < top + 0.5pt
    let lead = if opens and solgen-continues(rows.at(k)) and above(k) != none { above(k).first() } else { none }
    if opens { place(horizon + left, dx: -(width - span) / 2, text(cont)) }
    line(k, lead)
  }
  // Groups `from ..< to` as a grid: a group's rows are spanned by one unbreakable cell.
  let rows-of(from, to) = grid(columns: (1fr, span, 1fr), row-gutter: par.leading,
    ..range(from, to).map(g => (
      grid.cell(x: 0, y: bounds.at(g) - bounds.at(from), rowspan: bounds.at(g + 1) - bounds.at(g),
                breakable: false, []),
      ..range(bounds.at(g), bounds.at(g + 1)).map(k =>
        grid.cell(x: 1, y: k - bounds.at(from), row(k, k == bounds.at(g)))),
    )).flatten())
  let lead = kids.slice(0, at).join()
  let last = bounds.len() - 2
  // The blocks in the page's flow, not in a block of their own: the last can stick to
  // what follows the display.
  {
    if lead != none and lead != [ ] { block(sticky: true, lead) }
    show math.equation: set align(left)
    // A display held to what follows (sticky) holds its last group to it.
    if sticky {
      block(above: 1em, below: 0pt, rows-of(0, last))
      block(above: par.leading, below: 1.2em, breakable: false, sticky: true, rows-of(last, last + 1))
    } else {
      block(above: 1em, below: 1.2em, rows-of(0, last + 1))
    }
    kids.slice(at + 1).join()
  }
}
"""
