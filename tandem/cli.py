"""The `tandem` console command: a thin wrapper over Django's management commands.

    tandem serve [addr:port]   run the web server (default 127.0.0.1:8000)
    tandem migrate             create or upgrade the database
    tandem demo                load the demo data set (idempotent) and print the logins
    tandem createadmin         create an administrator interactively
    tandem <any django command>
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    argv = list(sys.argv if argv is None else argv)
    command = argv[1] if len(argv) > 1 else "help"
    aliases = {"serve": "runserver", "createadmin": "createadmin", "demo": "load_demo"}
    if command in ("-h", "--help", "help"):
        print(__doc__)
        return
    if command == "serve" and len(argv) == 2:
        argv.append("127.0.0.1:8000")
    argv[1] = aliases.get(command, command)
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
