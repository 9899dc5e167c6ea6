#!/usr/bin/env python3
"""Writes a rules file as a C++ raw string literal (build step of src/detect)."""
import sys

text = open(sys.argv[1], encoding="utf-8").read()
if ")PICKETRULES" in text:
    sys.exit(f"{sys.argv[1]}: contains the raw-string delimiter )PICKETRULES")
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write('R"PICKETRULES(' + text + ')PICKETRULES"\n')
