"""A corpus of hostile sources: every one must come out of the renderer inert."""

import pytest

from contexts.renderer.api import render
from tests.renderer.htmlcompare import elements
from tests.renderer.inertness import problems

HOSTILE = {
    # Raw tags and attributes.
    "script tag": "<script>alert(1)</script>",
    "script block": "<script>\nalert(1)\n</script>\n\ntext",
    "img onerror": "<img src=x onerror=alert(1)>",
    "uppercase IMG": "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "svg onload": "<svg onload=alert(1)>",
    "svg script": "<svg><script>alert(1)</script></svg>",
    "math mXSS": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="https://evil.example/x.swf"></object>',
    "embed": '<embed src="https://evil.example/x.swf">',
    "form": '<form action="https://evil.example/"><input name="a"><button>go</button></form>',
    "style element": "<style>body{display:none}</style>",
    "style attribute": '<div style="background:url(javascript:alert(1))">x</div>',
    "body onload": "<body onload=alert(1)>",
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base href": '<base href="javascript:alert(1)//">',
    "link stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "details ontoggle": "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "video source onerror": "<video><source onerror=alert(1)></video>",
    "input autofocus": "<input onfocus=alert(1) autofocus>",
    "raw anchor javascript": '<a href="javascript:alert(1)">x</a>',
    "raw anchor entity scheme": '<a href="&#106;avascript:alert(1)">x</a>',
    "split script tag": "<scr<script>ipt>alert(1)</script>",
    "doubled brackets": "<<script>script>alert(1)<</script>/script>",
    "comment trick": "<!--<script>alert(1)//-->",
    "cdata trick": "<![CDATA[<script>alert(1)</script>]]>",
    "processing instruction": "<?php echo 1; ?><script>alert(1)</script>",
    # URL schemes through Markdown syntax.
    "md link javascript": "[x](javascript:alert(1))",
    "md link mixed case": "[x](JaVaScRiPt:alert(1))",
    "md link entity colon": "[x](javascript&#58;alert(1))",
    "md link entity j": "[x](&#106;avascript:alert(1))",
    "md link tab in scheme": "[x](<java\tscript:alert(1)>)",
    "md link leading spaces": "[x](   javascript:alert(1))",
    "md link NUL": "[x](java\x00script:alert(1))",
    "md link vbscript": "[x](vbscript:msgbox(1))",
    "md link data html": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md image data svg": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "md image data png": "![x](data:image/png;base64,iVBORw0KGgo=)",
    "md image javascript": "![x](javascript:alert(1))",
    "md image relative": "![x](/accounts/signout)",
    "md image protocol relative": "![x](//evil.example/x.png)",
    "md image backslash protocol relative": "![x](/\\evil.example/x.png)",
    "md image http": "![x](http://evil.example/x.png)",
    "md image tab in scheme": "![x](<java\tscript:alert(1)>)",
    "md protocol relative": "[x](//evil.example/)",
    "md reference javascript": "[x]\n\n[x]: javascript:alert(1)",
    "md link with comment": "[x](javascript://%0aalert(1))",
    "md autolink javascript": "<javascript:alert(1)>",
    "md autolink quote": '<http://x.example/" onmouseover="alert(1)>',
    "bare autolink quote": 'https://example.com/"onmouseover="alert(1)',
    "www autolink script": "www.example.com/<script>alert(1)</script>",
    # Attribute breakouts.
    "title breakout": '[x](https://x.example/ "t\\" onmouseover=\\"alert(1)")',
    "title extra attribute": '[x](https://x.example/ "a" onmouseover="b")',
    "alt breakout": '![x" onerror="alert(1)](https://x.example/i.png)',
    "fence info breakout": '```"><script>alert(1)</script>\nx\n```',
    "fence info attribute": "```x onmouseover=alert(1)\ncode\n```",
    "footnote label script": "a[^<script>alert(1)</script>]\n\n[^<script>alert(1)</script>]: n",
    "footnote label quote": 'a[^x" onmouseover="alert(1)]\n\n[^x" onmouseover="alert(1)]: n',
    "task item html": "- [x] <img src=x onerror=alert(1)>\n- [ ] <input type=text>",
    "table cell html": "| a |\n|:-|\n| <script>alert(1)</script> |",
    # The notations themselves as vectors.
    "notation javascript": "[javascript:alert(1):title=x]",
    "notation quote space": '[https://x/" onmouseover="x:title=y]',
    "notation quote nospace": '[https://x/"onmouseover="x:title=y]',
    "notation title script": "[https://x.example/:title=<script>alert(1)</script>]",
    "notation title img": "[https://x.example/:title=<img src=x onerror=alert(1)>]",
    "notation url tag": '[https://evil.example/"><script>alert(1)</script>:title=y]',
    "notation data url": "[data:text/html,<script>alert(1)</script>:title=x]",
    "notation svg query": "[https://x.example/?q=<svg/onload=alert(1)>]",
    "notation entity quote": "[https://x.example/&quot;onmouseover=&quot;alert(1):title=y]",
    "notation in alt": '![[https://x.example/" onerror="alert(1)]](https://x.example/i.png)',
    "notation uppercase scheme": "[JAVASCRIPT:alert(1)]",
    "embed notation javascript": "[javascript:alert(1):embed]",
    "embed notation quote": '[https://x.example/"onmouseover="alert(1):embed]',
    "embed notation tag": '[https://evil.example/"><script>alert(1)</script>:embed]',
    "mention script": "id:<script>alert(1)</script>",
    "mention quote": 'id:abc"onmouseover="alert(1)',
    "mention long then img": "id:" + "a" * 16 + "<img src=x onerror=alert(1)>",
    "mention in footnote id": "x[^id:abcd]\n\n[^id:abcd]: id:abcd",
    # Encodings and nesting.
    "escaped entities": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "numeric entities": "&#60;script&#62;alert(1)&#60;/script&#62;",
    "zero width scheme": "[x](\u200bjavascript:alert(1))",
    "fullwidth scheme": "[x](ｊａｖａｓｃｒｉｐｔ:alert(1))",
    "lone surrogate": "[x](javascript:\ud800alert(1)) \udfff",
    "deep blockquotes": ">" * 5000 + " <script>alert(1)</script>",
    "deep lists": "".join("  " * i + "- x\n" for i in range(300)) + "<script>alert(1)</script>",
    "many brackets": "[" * 20000 + "javascript:alert(1)" + "]" * 20000,
    "many emphasis": "*_" * 20000 + "<script>alert(1)</script>",
    "nested links": "[[[[x](javascript:alert(1))](javascript:alert(2))](javascript:a)](j:b)",
}


def test_the_corpus_is_large_enough():
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize("src", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_source_comes_out_inert(src):
    html = render(src).html

    assert problems(html) == []


def test_the_inertness_check_catches_what_it_should():
    # The checker itself must fail on what it is meant to catch, else the corpus proves nothing.
    assert problems("<script>alert(1)</script>")
    assert problems('<a href="javascript:alert(1)">x</a>')
    assert problems('<a href="java\tscript:alert(1)">x</a>')
    assert problems('<img src="data:image/png;base64,AA">')
    assert problems('<img src="http://x.example/a.png">')
    assert problems('<img src="//x.example/a.png">')
    assert problems('<img src="/\\x.example/a.png">')
    assert problems('<img src="\x01//x.example/a.png">')
    assert problems('<span onclick="x">a</span>')
    assert problems('<img src="/relative.png">') == []
    assert problems('<img src="https://x.example/a.png">') == []
    assert problems('<p onclick="x">a</p>')
    assert problems('<p style="color:red">a</p>')
    assert problems("<svg></svg>")
    assert problems("<input>")
    assert problems('<a href="https://x.example/">x</a>')
    assert problems('<a href="https://x.example/" rel="nofollow noopener noreferrer">x</a>') == []


def test_text_of_hostile_markup_is_dropped_or_shown_escaped_never_as_markup():
    html = render("a <b onclick=alert(1)>bold</b> `<script>` c").html

    assert "<code>&lt;script&gt;</code>" in html
    assert [tag for tag, _ in elements(html)] == ["p", "code"]
