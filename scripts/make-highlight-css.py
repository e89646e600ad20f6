#!/usr/bin/env python3
"""Writes templates/assets/highlight.css: the colours of highlighted code, light and dark.

Usage (from the repository root, after `make site` made .prensa-venv):

    .prensa-venv/bin/python scripts/make-highlight-css.py

The token classes are those Pygments' HtmlFormatter puts on code at build time. Light: Pygments'
"default" style under `.highlight`; dark: "lightbulb", used when the reader's system prefers dark
(unless the page says data-theme="light") or when the page says data-theme="dark". Backgrounds
come from the page (`--code-bg` in style.css), so the styles' own backgrounds and borders are left
out. Every text colour is checked for WCAG AA contrast (4.5:1) against the code background of its
theme (or the token's own background); a colour below that is darkened (light) or lightened
(dark) just enough, and the change is listed in the file. Prints the contrast of every colour.
"""

import os
import sys

import pygments
from pygments.formatters.html import _get_ttype_class
from pygments.styles import get_style_by_name

PYGMENTS_VERSION = "2.20.0"
LIGHT_STYLE = "default"
DARK_STYLE = "lightbulb"
# --code-bg of templates/assets/style.css, light and dark.
LIGHT_BACKGROUND = "f1efe9"
DARK_BACKGROUND = "1f232b"
# WCAG 2 AA for normal text is 4.5; aim a little above so rounding never drops a colour below it.
MINIMUM_CONTRAST = 4.5
TARGET_CONTRAST = 4.6

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "templates", "assets", "highlight.css")


def luminance(hex_colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground, background):
    a, b = luminance(foreground), luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def adjusted(colour, background, towards_white):
    """`colour` moved towards black (or white) in 1 % steps until it reaches TARGET_CONTRAST."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    for step in range(101):
        t = step / 100
        if towards_white:
            candidate = [round(c + (255 - c) * t) for c in (r, g, b)]
        else:
            candidate = [round(c * (1 - t)) for c in (r, g, b)]
        hex_candidate = "".join(f"{c:02x}" for c in candidate)
        if contrast(hex_candidate, background) >= TARGET_CONTRAST:
            return hex_candidate
    raise SystemExit(f"cannot bring #{colour} to {TARGET_CONTRAST}:1 on #{background}")


def declarations(style_name, background, towards_white, report, overrides):
    """CSS class → (properties dict, token name) for one Pygments style, colours made AA."""
    style = get_style_by_name(style_name)
    rules = {}
    for ttype, definition in style:
        properties = {}
        if definition["color"]:
            colour = definition["color"].lower()
            against = (definition["bgcolor"] or background).lower()
            ratio = contrast(colour, against)
            if ratio < MINIMUM_CONTRAST:
                fixed = adjusted(colour, against, towards_white)
                overrides.append((style_name, str(ttype), colour, ratio, fixed, contrast(fixed, against), against))
                colour = fixed
            report.append((style_name, str(ttype), colour, against, contrast(colour, against)))
            properties["color"] = "#" + colour
        if definition["bgcolor"]:
            properties["background-color"] = "#" + definition["bgcolor"].lower()
        if definition["bold"]:
            properties["font-weight"] = "bold"
        if definition["italic"]:
            properties["font-style"] = "italic"
        if definition["underline"]:
            properties["text-decoration"] = "underline"
        if properties:
            rules[_get_ttype_class(ttype)] = (properties, str(ttype))
    return rules


# What a dark rule sets when the light rule set a property the dark style does not use.
RESETS = {
    "color": "inherit",
    "background-color": "transparent",
    "font-weight": "normal",
    "font-style": "normal",
    "text-decoration": "none",
}
ORDER = ["color", "background-color", "font-weight", "font-style", "text-decoration"]


def css_block(selector, properties):
    body = "; ".join(f"{name}: {properties[name]}" for name in ORDER if name in properties)
    return f"{selector} {{ {body} }}"


def selector(prefix, css_class):
    return f"{prefix}.highlight" + (f" .{css_class}" if css_class else "")


def main():
    if pygments.__version__ != PYGMENTS_VERSION:
        raise SystemExit(
            f"Pygments {pygments.__version__} found, {PYGMENTS_VERSION} expected: run with .prensa-venv/bin/python"
        )
    report, overrides = [], []
    light = declarations(LIGHT_STYLE, LIGHT_BACKGROUND, False, report, overrides)
    dark = declarations(DARK_STYLE, DARK_BACKGROUND, True, report, overrides)
    # Dark rules override the light ones: every class either sets, set back to normal.
    dark_full = {}
    for css_class in sorted(set(light) | set(dark)):
        properties, token = dark[css_class] if css_class in dark else ({}, light[css_class][1])
        properties = dict(properties)
        for name in light.get(css_class, ({}, ""))[0]:
            properties.setdefault(name, RESETS[name])
        dark_full[css_class] = (properties, token)

    lines = [
        "/* Colours of code highlighted at build time by Pygments (HtmlFormatter classes).",
        f"   Generated by scripts/make-highlight-css.py with Pygments {PYGMENTS_VERSION}; do not edit by hand.",
        f'   Light: Pygments style "{LIGHT_STYLE}"; dark: "{DARK_STYLE}". Backgrounds are the page\'s --code-bg.',
        f"   Every colour has at least {MINIMUM_CONTRAST}:1 contrast (WCAG AA) on #{LIGHT_BACKGROUND} (light)",
        f"   or #{DARK_BACKGROUND} (dark), or on the token's own background.",
    ]
    if overrides:
        lines.append("   Colours changed from the style to reach it (and the tokens that use them):")
        changes = {}
        for style_name, token, old, old_ratio, new, new_ratio, against in overrides:
            key = (style_name, old, old_ratio, new, new_ratio, against)
            changes.setdefault(key, []).append(token.removeprefix("Token."))
        for (style_name, old, old_ratio, new, new_ratio, against), tokens in changes.items():
            lines.append(
                f"     {style_name}: #{old} ({old_ratio:.2f}:1) -> #{new} ({new_ratio:.2f}:1) on #{against}:"
            )
            lines.append("       " + ", ".join(tokens))
    lines.append("*/")
    for css_class in sorted(light):
        properties, token = light[css_class]
        lines.append(css_block(selector("", css_class), properties) + f" /* {token} */")
    lines.append("@media (prefers-color-scheme: dark) {")
    for css_class in sorted(dark_full):
        properties, token = dark_full[css_class]
        lines.append(
            "  " + css_block(selector(':root:not([data-theme="light"]) ', css_class), properties) + f" /* {token} */"
        )
    lines.append("}")
    for css_class in sorted(dark_full):
        properties, token = dark_full[css_class]
        lines.append(css_block(selector(':root[data-theme="dark"] ', css_class), properties) + f" /* {token} */")

    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as output:
        output.write("\n".join(lines) + "\n")

    worst = {}
    for style_name, token, colour, against, ratio in report:
        key = (style_name, colour, against)
        worst[key] = ratio
    for (style_name, colour, against), ratio in sorted(worst.items(), key=lambda item: item[1]):
        print(f"{style_name:10} #{colour} on #{against}: {ratio:5.2f}:1")
    print(f"{len(overrides)} token colours adjusted; wrote {os.path.relpath(OUTPUT)}")
    if any(ratio < MINIMUM_CONTRAST for ratio in worst.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
