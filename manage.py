#!/usr/bin/env python
"""Django's command-line utility; `zoufang` is the installed equivalent."""

from zoufang.cli import main

if __name__ == "__main__":
    main()
