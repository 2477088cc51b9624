"""The UI's shared tokens: colours, the tap-target size and the responsive display values.

Every component reads these instead of repeating literals, so a rule (a 44 px tap target, the
muted text colour, the 768 px phone/desktop split) is defined once.
"""

from __future__ import annotations

import reflex as rx

ACCENT = "teal"
MUTED = rx.color("gray", 11)  # secondary text: AA contrast on the background, light and dark
TAP = "44px"  # minimum tap target (WCAG 2.5.5, Apple HIG)
DESKTOP = ["none", "none", "flex"]  # responsive display: hidden under 768 px (48em)
MOBILE = ["flex", "flex", "none"]
BOTTOM_NAV_HEIGHT = "64px"
HEADER_HEIGHT = "60px"
# "Mon 30 Nov" and "12.5 kg" never break over two lines
NO_WRAP = {"white_space": "nowrap"}
