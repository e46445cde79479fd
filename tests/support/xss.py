"""What the XSS attack suites look for in Chromium (issue 13), shared by every suite that
sends ``tests/support/xss_payloads.py`` through the site.

``watch(page, dialogs, csp_console)`` hooks a page before any of its scripts run:
``__xssHit``, ``alert``, ``confirm``, ``prompt`` and ``print`` record a call, dialogs are
recorded and dismissed, and Content-Security-Policy violations (a payload that reached markup
and was only stopped by the CSP) are recorded. ``inspect(page, url, dialogs)`` opens a page
and returns what ran, what the CSP stopped, which payload reached the DOM as markup
(event-handler attributes, ``javascript:`` URLs, scripts that carry a payload) and which
template expressions were evaluated; a clean page gives only empty lists.
"""

import re

from tests.support.xss_payloads import TEMPLATE_MARK

# Runs before any page script (playwright adds it outside the page's CSP).
DETECT = """
window.__xss = [];
window.__xssHit = (n) => { window.__xss.push("hit:" + n); };
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (n) => { window.__xss.push(name + ":" + n); };
}
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "") + " " + (e.sample || ""));
}, true);
"""

# What of a payload reached the DOM as markup rather than as text.
MARKUP = """
() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase();
      if (name.startsWith("on") && value.includes("__xsshit")) found.push(el.tagName + " " + name);
      if (["href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"].includes(name)
          && (value.startsWith("javascript:") || value.startsWith("data:text/html")
              || value.includes("__xsshit"))) found.push(el.tagName + " " + name + "=" + attr.value);
    }
    if (el.tagName === "SCRIPT" && el.textContent.includes("__xssHit")) found.push("SCRIPT");
    if (["IFRAME", "OBJECT", "EMBED", "BASE"].includes(el.tagName)
        && el.outerHTML.includes("xssHit")) found.push(el.tagName);
    // A description <meta> may quote a payload as text; a refresh must not carry one.
    if (el.tagName === "META" && el.httpEquiv && el.outerHTML.includes("xssHit")) found.push("META");
  }
  return found;
}
"""


def chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def joined(items):
    return "\n".join(text for _, text in items)


def watch(page, dialogs: list, csp_console: list) -> None:
    """Hook ``page`` (and every page of its context opened later) before its scripts run."""
    page.context.add_init_script(DETECT)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on(
        "console",
        lambda m: csp_console.append(m.text) if "Content Security Policy" in m.text else None,
    )


def inspect(page, url, dialogs, *, navigate=True) -> dict:
    """Open ``url`` (or, with ``navigate=False``, look at the page as it is) and report."""
    if navigate:
        page.goto(url)
    page.wait_for_load_state("load")
    # Give handlers that fire late (autofocus, animations, media errors) their turn.
    page.wait_for_timeout(150)
    text = page.inner_text("body")
    return {
        "executed": page.evaluate("window.__xss"),
        "csp": page.evaluate("window.__csp"),
        "markup": page.evaluate(MARKUP),
        "templates": re.findall(TEMPLATE_MARK + r"\d+:1337", text),
        "dialogs": list(dialogs),
    }


def problems(results: dict) -> dict:
    """The pages of ``{path: inspect(...)}`` where anything was found."""
    return {path: result for path, result in results.items() if any(result.values())}
