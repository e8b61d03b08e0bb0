"""Where a display breaks over pages in a typst PDF (issue 15): solgen's own typst code.

typst_blocks.py wraps each paragraph that holds a display in `solgen-display`, defined by
SOURCE at the top of the document's body (solgen's code, not the theme's: a page template
of one's own still gets it).
- A display up to a fifth of the text height tall is one unbreakable block with the
  sentence leading into it, as before: at the foot of a page it moves on whole and leaves
  at most a fifth of the page empty.
- A taller one is set as a grid of its rows, which typst breaks between rows where the
  page ends, in the same layout pass. Its rows are grouped from one new line of the
  derivation to the next (a row with its own left side, or `& = …` / `& ≈ …`; a sum
  broken over rows, `& + …`, stays with its row), each group spanned by one unbreakable
  cell, the first and last groups at least two rows long; the lead-in sentence is sticky
  to the first group. So a derivation goes on to the next page only between two `=` rows.
  Of those places, a new quantity (a row with its own left side) is preferred: a row
  `= …` / `≈ …` starts a group only once the rows since the last group's start are a
  quarter of the page tall, so a computation is not parted from its value ("≈ 0.125905")
  unless one quantity's chain is that long.
  A display taller than a page with no such row (one long sum) breaks at any row.
- A group that starts a page gets the word `cont` ("(cont.)" / "（續）") at the text's
  left edge and, when its first row is `& = …`, the left side it goes on from: read from
  the group's position, which does not change what the page holds, so typst settles in
  two passes. (Choosing the break from the position instead, with `here()`, needed one
  pass per broken display: an 8-page sheet did not settle in typst's five.)
- Each row is one equation, its left side padded to the widest left side: the `=` line
  up, as in the `aligned` environment the rows came from.
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
// A right side that starts with a relation: typst sets a thick space before it, on the
// left of the alignment point.
#let solgen-related(right) = {
  let first = right.at(0, default: none)
  let relations = ("=", "≈", "≠", "<", ">", "≤", "≥", "≡", "∝", "∈", "⇒", "→", "⟹", "⇔")
  first != none and first.has("text") and first.text in relations
}
// `& = …`: the row goes on from the left side above it.
#let solgen-continues(row) = {
  let (left, right) = solgen-sides(row)
  left.len() == 0 and solgen-related(right)
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
    else if type(edge) == relative {
      edge.length.to-absolute() + edge.ratio * calc.min(page.width, page.height)
    }
    else { edge.to-absolute() }
  }
  let (top, width) = (side("top"), page.width - side("left") - side("right"))
  let full = page.height - top - side("bottom")
  let height = measure(block(width: width, body)).height
  let short = height <= full / 5
  if short or rows.any(r => r.filter(solgen-align).len() > 1) { return whole }
  // Groups: rows from one new line of the derivation to the next, at least two rows at
  // either end of the display.
  let starts = range(2, rows.len() - 1).filter(k => solgen-cut(rows.at(k)))
  // Taller than a page with no `=` row to break at (one long sum): any row will do, as
  // typst would cut off what does not fit.
  if starts.len() == 0 and height > full { starts = range(1, rows.len()) }
  if starts.len() == 0 { return whole }
  // Where the `&` falls: after the widest left side, with the space before a relation.
  let thick = (5em / 18).to-absolute()
  let wide(kids) = if kids.len() > 0 { measure(solgen-inline(kids)).width } else { 0pt }
  let space(r) = if solgen-related(r) { thick } else { 0pt }
  let reach = calc.max(..sides.map(((l, r)) => wide(l) + space(r)))
  let line(k, lead) = {
    let (l, r) = sides.at(k)
    let shown = if lead != none { lead } else { l }
    // An empty text before a relation gives it that space on its left even with no left
    // side; a row going on with spacing (`&\qquad + …` in TeX) starts at the `&` itself.
    let glue = if solgen-related(r) { [#""] } else { [] }
    let pad = h(reach - wide(shown) - space(r))
    math.equation(block: true, [#pad] + shown.join() + glue + r.join())
  }
  let span = calc.max(..range(rows.len()).map(k => measure(line(k, none)).width))
  if span > width { return whole }
  // Of those, a new quantity (a row with its own left side) is where the derivation reads
  // on best; a row `= …` / `≈ …` only once its quantity's rows since the last break are a
  // quarter of the page tall (a page ending between "v̂ = 0.000377/(1 − 0.999³)" and
  // "≈ 0.125905" parts a computation from its value).
  let chosen = ()
  let since = 0pt
  for k in range(1, rows.len()) {
    since += measure(line(k - 1, none)).height + par.leading.to-absolute()
    if k in starts and (sides.at(k).first().len() > 0 or since > full / 4) {
      chosen.push(k)
      since = 0pt
    }
  }
  if chosen.len() == 0 { return whole }
  let bounds = (0, ..chosen, rows.len())
  let above(k) = sides.slice(0, k).rev().find(s => s.first().len() > 0)
  // A group that starts a page: the word `cont` at the text's left edge and, when its
  // first row is `& = …`, the left side it goes on from (the page reads on its own).
  let row(k, first) = context {
    let opens = first and k > 0 and here().position().y < top + 0.5pt
    let goes-on = opens and solgen-continues(rows.at(k)) and above(k) != none
    let lead = if goes-on { above(k).first() } else { none }
    if opens { place(horizon + left, dx: -(width - span) / 2, text(cont)) }
    line(k, lead)
  }
  // Groups `from ..< to` as a grid: a group's rows are spanned by one unbreakable cell.
  let rows-of(from, to) = grid(columns: (1fr, span, 1fr), row-gutter: par.leading,
    ..range(from, to).map(g => (
      grid.cell(x: 0, y: bounds.at(g) - bounds.at(from),
                rowspan: bounds.at(g + 1) - bounds.at(g), breakable: false, []),
      ..range(bounds.at(g), bounds.at(g + 1)).map(k =>
        grid.cell(x: 1, y: k - bounds.at(from), row(k, k == bounds.at(g)))),
    )).flatten())
  let lead = kids.slice(0, at).join()
  let last = bounds.len() - 2
  // The blocks in the page's flow, not in a block of their own: the last can stick to
  // what follows the display.
  // Spaced as the unbreakable block was: 1.2em above it, 1em between lead-in and rows.
  let led = lead != none and lead != [ ]
  let above = if led { (above: 1em) } else { (:) }
  {
    if led { block(sticky: true, lead) }
    show math.equation: set align(left)
    // A display held to what follows (sticky) holds its last group to it.
    if sticky {
      block(..above, below: 0pt, rows-of(0, last))
      block(above: par.leading, below: 1.2em, breakable: false, sticky: true,
            rows-of(last, last + 1))
    } else {
      block(..above, below: 1.2em, rows-of(0, last + 1))
    }
    kids.slice(at + 1).join()
  }
}
"""
