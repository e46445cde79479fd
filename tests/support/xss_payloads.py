"""A corpus of classic XSS payloads for the attack suites
(tests/proposals/test_xss_corpus.py, tests/diary/test_xss_corpus.py).

Each payload is a template with ``{n}``, its number: when one runs, it calls ``__xssHit(n)``
(or ``alert(n)`` and friends, which the test hooks too), so the test says which payload ran
and where. ``TEMPLATE_MARK`` payloads test template injection: evaluated, ``{{{{7*191}}}}``
becomes ``1337`` next to the marker.
"""

HIT = "__xssHit({n})"

PAYLOADS = [
    # Script elements
    "<script>__xssHit({n})</script>",
    "<SCRIPT>__xssHit({n})</SCRIPT>",
    "<script src=data:text/javascript,__xssHit({n})></script>",
    "<scr<script>ipt>__xssHit({n})</scr</script>ipt>",
    "</title><script>__xssHit({n})</script>",
    "</textarea><script>__xssHit({n})</script>",
    "</script><script>__xssHit({n})</script>",
    "<script>alert({n})</script>",
    "<script>confirm({n})</script>",
    "<script>prompt({n})</script>",
    # Event handlers
    "<img src=x onerror=__xssHit({n})>",
    "<img src=x onerror=\"alert({n})\">",
    "<IMG SRC=x OnErRoR=__xssHit({n})>",
    "<img/src=x/onerror=__xssHit({n})>",
    "<body onload=__xssHit({n})>",
    "<svg onload=__xssHit({n})>",
    "<svg/onload=__xssHit({n})>",
    "<input autofocus onfocus=__xssHit({n})>",
    "<details open ontoggle=__xssHit({n})>",
    "<video><source onerror=__xssHit({n})></video>",
    "<audio src=x onerror=__xssHit({n})>",
    "<iframe onload=__xssHit({n})></iframe>",
    "<marquee onstart=__xssHit({n})>x</marquee>",
    "<div onmouseover=__xssHit({n}) style=position:fixed;inset:0>x</div>",
    "<p style=\"animation-name:x\" onanimationstart=__xssHit({n})>x</p>",
    "<select autofocus onfocus=__xssHit({n})></select>",
    # javascript: and data: URLs
    "<a href=\"javascript:__xssHit({n})\">link {n}</a>",
    "<a href=\"JaVaScRiPt:__xssHit({n})\">link {n}</a>",
    "<a href=\"&#106;avascript:__xssHit({n})\">link {n}</a>",
    "<a href=\"java&#x09;script:__xssHit({n})\">link {n}</a>",
    "<a href=\" javascript:__xssHit({n})\">link {n}</a>",
    "<iframe src=\"javascript:parent.__xssHit({n})\"></iframe>",
    "<iframe srcdoc=\"<script>parent.__xssHit({n})</script>\"></iframe>",
    "<object data=\"javascript:__xssHit({n})\"></object>",
    "<embed src=\"javascript:__xssHit({n})\">",
    "<form action=\"javascript:__xssHit({n})\"><button>go {n}</button></form>",
    "<a href=\"data:text/html,<script>__xssHit({n})</script>\">data {n}</a>",
    "javascript:__xssHit({n})",
    "<meta http-equiv=refresh content=\"0;url=javascript:__xssHit({n})\">",
    "<base href=\"javascript:__xssHit({n})//\">",
    # SVG and MathML
    "<svg><script>__xssHit({n})</script></svg>",
    "<svg><animate onbegin=__xssHit({n}) attributeName=x dur=1s>",
    "<svg><a xlink:href=\"javascript:__xssHit({n})\"><text y=20>svg {n}</text></a></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='__xssHit({n})'/></svg>#x\"/></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=__xssHit({n})>",
    "<math href=\"javascript:__xssHit({n})\">math {n}</math>",
    "<svg><style><img src=x onerror=__xssHit({n})></style></svg>",
    # Attribute breakouts
    "\" onmouseover=\"__xssHit({n})\" x=\"",
    "' onfocus='__xssHit({n})' autofocus x='",
    "\"><img src=x onerror=__xssHit({n})>",
    "'><img src=x onerror=__xssHit({n})>",
    "\"autofocus onfocus=__xssHit({n}) x=\"",
    "` onerror=__xssHit({n}) `",
    "<a title=\"&quot; onmouseover=__xssHit({n}) x=&quot;\">t {n}</a>",
    # Comments, CDATA, noscript and other parser games
    "<!--<img src=\"--><img src=x onerror=__xssHit({n})//\">",
    "<![CDATA[<img src=x onerror=__xssHit({n})>]]>",
    "<noscript><p title=\"</noscript><img src=x onerror=__xssHit({n})>\"></noscript>",
    "<style><img src=x onerror=__xssHit({n})></style>",
    "<template><img src=x onerror=__xssHit({n})></template>",
    "<xmp><img src=x onerror=__xssHit({n})></xmp>",
    "<<img src=x onerror=__xssHit({n})>",
    "&lt;img src=x onerror=__xssHit({n})&gt;",
    "%3Cimg src=x onerror=__xssHit({n})%3E",
    "\\u003cimg src=x onerror=__xssHit({n})\\u003e",
    # Script contexts: breaking out of a JS string or JSON block
    "';__xssHit({n});'",
    "\";__xssHit({n});\"",
    "</script><img src=x onerror=__xssHit({n})>",
    "${{__xssHit({n})}}",
    # Template injection (Django, Jinja, Angular/Vue-style client templates)
    "tpl{n}:{{{{7*191}}}}",
    "tpl{n}:{{% debug %}}{{{{ request.user }}}}",
    "tpl{n}:[[7*191]]",
    "tpl{n}:{{{{constructor.constructor('__xssHit({n})')()}}}}",
    # Polyglots
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=__xssHit({n}) )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=__xssHit({n})//>\\x3e",
    "\"'--></style></script><svg onload=__xssHit({n})>",
    "'\"><svg/onload=__xssHit({n})><\"'",
    "<a href=\"https://example.org/\" onclick=\"__xssHit({n})\" style=\"color:red\">styled {n}</a>",
]

TEMPLATE_MARK = "tpl"


def payloads(start: int = 1) -> list[tuple[int, str]]:
    """``[(n, payload)]`` numbered from ``start``."""
    return [(start + i, text.format(n=start + i)) for i, text in enumerate(PAYLOADS)]
