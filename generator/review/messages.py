"""Every sentence of a review report, in English and Traditional Chinese.

Messages are `str.format` templates over plain text (names and numbers), never over LaTeX,
so a brace in a student's line cannot break them.
"""

from __future__ import annotations

SYMBOLS = {"proved": "✓", "numeric": "≈", "wrong": "✗", "unread": "?", "given": "·"}

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "title": "solgen review",
        "summary": "{links} relations checked: {proved} proved, {numeric} numeric, {wrong} wrong, "
                   "{unread} unread; {given} definitions taken from the text.",
        "first_wrong": "First wrong line: line {line}.",
        "no_wrong": "No line was found wrong.",
        "syntax_count": "{count} place(s) that break LaTeX or KaTeX.",
        "final_ok": "Final result {quantity} (line {line}): agrees with solgen's verified answer.",
        "final_wrong": "Final result {quantity} (line {line}): differs from solgen's verified "
                       "answer.",
        "final_unread": "Final result {quantity} (line {line}): could not be compared.",
        "solution": "solgen's verified answer:",
        "line": "line {line}",
        "defines": "definition, taken as given",
        "assumes": "a condition the text assumes, taken as given",
        "proved": "proved",
        "numeric": "agrees to 40 digits at random points",
        "proved_at_data": "proved with the given values ({values})",
        "numeric_at_data": "agrees to 40 digits with the given values ({values})",
        "wrong": "does not follow: at {point} the left side is {left} and the right side {right}",
        "wrong_rounding": "does not follow: the value is {exact}, which does not round to "
                          "this with {digits} decimals",
        "unread_syntax": "not read: {why}",
        "unread_undefined": "not read: {name} is not defined (add it to the text or --define)",
        "unread_definition_unread": "not read: the line that defines {name} was not read",
        "unread_depends": "not read: {name} depends on something the text does not define",
        "unread_prime_of_what": "not read: {name}′ with respect to which variable?",
        "unread_unevaluated": "not read: a derivative that cannot be worked out",
        "unread_vector_derivative": "not read: a derivative of a vector",
        "unread_vector_function": "not read: a function of a vector",
        "unread_vector_power": "not read: a power of a vector",
        "unread_shape": "not read: sides that cannot be combined ({why})",
        "unread_cycle": "not read: definitions that refer to each other",
        "unread_arguments": "not read: {name} called with the wrong number of arguments",
        "unread_size": "not read: too large to check",
        "unread_nowhere": "not read: no point where both sides are defined",
        "unread_time": "not read: gave up after {seconds} s",
        "unread_error": "not read: the check failed inside sympy ({why})",
        "syntax_amp": "`&` outside an aligned environment: LaTeX and KaTeX stop here",
        "syntax_newline": "`\\\\` outside an aligned environment: LaTeX stops here "
                          "(wrap the lines in `\\begin{{aligned}} … \\end{{aligned}}`)",
        "syntax_brace": "unbalanced brace `{detail}`",
        "syntax_left": "unbalanced `{detail}` (\\left and \\right come in pairs)",
        "syntax_env": "\\begin/\\end of `{detail}` do not match",
        "error": "not reviewed: {error}",
    },
    "zh-TW": {
        "title": "solgen 逐行檢查",
        "summary": "共檢查 {links} 個關係式：{proved} 個已證明、{numeric} 個數值驗證、"
                   "{wrong} 個錯誤、{unread} 個無法讀取；另有 {given} 個定義取自原文。",
        "first_wrong": "第一個錯誤出現在第 {line} 行。",
        "no_wrong": "沒有發現錯誤的步驟。",
        "syntax_count": "有 {count} 處語法會讓 LaTeX 或 KaTeX 無法編譯。",
        "final_ok": "最終結果 {quantity}（第 {line} 行）：與 solgen 驗證過的答案一致。",
        "final_wrong": "最終結果 {quantity}（第 {line} 行）：與 solgen 驗證過的答案不同",
        "final_unread": "最終結果 {quantity}（第 {line} 行）：無法比較。",
        "solution": "solgen 驗證過的答案：",
        "line": "第 {line} 行",
        "defines": "定義，視為已知",
        "assumes": "文中假設的條件，視為已知",
        "proved": "已證明",
        "numeric": "在隨機點以 40 位數值驗證相等",
        "proved_at_data": "代入題目給定的數值後已證明（{values}）",
        "numeric_at_data": "代入題目給定的數值後以 40 位數值驗證相等（{values}）",
        "wrong": "不成立：在 {point} 時，左邊為 {left}，右邊為 {right}",
        "wrong_rounding": "不成立：正確的值為 {exact}，四捨五入到小數點後 {digits} 位不是這個數",
        "unread_syntax": "無法讀取：{why}",
        "unread_undefined": "無法讀取：{name} 沒有定義（請在文中定義或使用 --define）",
        "unread_definition_unread": "無法讀取：定義 {name} 的那一行無法讀取",
        "unread_depends": "無法讀取：{name} 依賴於文中沒有定義的量",
        "unread_prime_of_what": "無法讀取：{name}′ 是對哪個變數微分？",
        "unread_unevaluated": "無法讀取：無法計算的導數",
        "unread_vector_derivative": "無法讀取：對向量取導數",
        "unread_vector_function": "無法讀取：以向量為引數的函數",
        "unread_vector_power": "無法讀取：向量的次方",
        "unread_shape": "無法讀取：兩邊無法運算（{why}）",
        "unread_cycle": "無法讀取：定義互相引用",
        "unread_arguments": "無法讀取：{name} 的引數個數不對",
        "unread_size": "無法讀取：式子太大，無法檢查",
        "unread_nowhere": "無法讀取：找不到兩邊都有定義的點",
        "unread_time": "無法讀取：{seconds} 秒內未完成",
        "unread_error": "無法讀取：sympy 檢查時出錯（{why}）",
        "syntax_amp": "`&` 不在對齊環境之內：LaTeX 與 KaTeX 會在此出錯",
        "syntax_newline": "`\\\\` 不在對齊環境之內：LaTeX 會在此出錯"
                          "（請以 `\\begin{{aligned}} … \\end{{aligned}}` 包住各行）",
        "syntax_brace": "大括號不成對：`{detail}`",
        "syntax_left": "`{detail}` 不成對（\\left 與 \\right 必須成對使用）",
        "syntax_env": "`{detail}` 的 \\begin 與 \\end 不相符",
        "error": "未檢查：{error}",
    },
}


def say(lang: str, key: str, **params: object) -> str:
    table = MESSAGES.get(lang, MESSAGES["en"])
    return table[key].format(**params)
