"""The product and quotient rules' letters are never the function's own variables
(issue 14): "(uv)' = u'v + uv'" beside f(u, v) would give u and v two meanings."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

DERIVATIVE_U = """\
id: du
title: du
kind: derivative
variable: u
function:
  - u^2*sin(u)
  - exp(u)/(1 + u^2)
"""

PARTIALS_UV = """\
id: uv
title: uv
kind: partials
function: u*v*exp(u) + u/v
variables: [u, v]
"""

PRODUCT_PQ = r"(product rule $(pq)' = p'q + pq'$)"
QUOTIENT_PQ = r"(quotient rule $\left(\frac{p}{q}\right)' = \frac{p'q - pq'}{q^2}$)"


def _show(tmp_path: Path, text: str, lang: str = "en") -> str:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["show", str(path), "--lang", lang])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_function_of_u_gets_p_and_q(tmp_path: Path) -> None:
    out = _show(tmp_path, DERIVATIVE_U)
    assert PRODUCT_PQ in out and QUOTIENT_PQ in out
    assert "(uv)'" not in out and r"\frac{u}{v}\right)'" not in out


def test_partials_of_u_and_v_get_p_and_q(tmp_path: Path) -> None:
    out = _show(tmp_path, PARTIALS_UV)
    assert PRODUCT_PQ in out and "(uv)'" not in out
    zh = _show(tmp_path, PARTIALS_UV, "zh-TW")
    assert r"（乘法律 $(pq)' = p'q + pq'$）" in zh


@pytest.mark.parametrize("variable", ["x", "t"])
def test_other_variables_keep_u_and_v(tmp_path: Path, variable: str) -> None:
    text = DERIVATIVE_U.replace("variable: u", f"variable: {variable}").replace(
        "u^2", f"{variable}^2").replace("(u)", f"({variable})")
    out = _show(tmp_path, text)
    assert r"(product rule $(uv)' = u'v + uv'$)" in out
    assert r"(quotient rule $\left(\frac{u}{v}\right)' = \frac{u'v - uv'}{v^2}$)" in out
