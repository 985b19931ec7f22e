#!/usr/bin/env python
import sys

from tandem.cli import main

if __name__ == "__main__":
    sys.argv[0] = "manage.py"
    main(["manage.py", *sys.argv[1:]])
