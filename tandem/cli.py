"""The `tandem` console command: a thin wrapper over Django's management commands.

    tandem serve [addr:port] [--workers N]
                               run the web server (default 127.0.0.1:8000): gunicorn with N worker
                               processes (TANDEM_WORKERS; default 2 x CPU cores + 1, at most 8); with
                               TANDEM_DEBUG=1 Django's development server (reloads on code changes)
    tandem migrate             create or upgrade the database (and collect the static files)
    tandem demo                load the demo data set (idempotent) and print the logins
    tandem createadmin         create an administrator interactively
    tandem export-beancount FILE [--entity ID|name] [--from DATE] [--to DATE]
                               write the posted ledger as a beancount file (checked by bean-check)
    tandem expire-quotes       expire the sent quotes past their 'valid until' date (run it daily)
    tandem <any django command>
"""

from __future__ import annotations

import argparse
import os
import sys

DEFAULT_ADDRESS = "127.0.0.1:8000"
MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    """2 x cores + 1 (gunicorn's rule of thumb), at most MAX_DEFAULT_WORKERS."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(2 * cores + 1, MAX_DEFAULT_WORKERS)


def parse_serve_args(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tandem serve", description="Run the Tandem web server.")
    parser.add_argument("address", nargs="?", default=DEFAULT_ADDRESS, help="addr:port (default %(default)s)")
    parser.add_argument("--workers", type=int, default=None,
                        help="server processes (TANDEM_WORKERS; default 2 x cores + 1, at most 8)")
    options = parser.parse_args(args)
    if options.workers is None:
        raw = os.environ.get("TANDEM_WORKERS", "").strip()
        if raw and not raw.isdigit():
            parser.error(f"TANDEM_WORKERS must be a whole number, not {raw!r}")
        options.workers = int(raw) if raw else default_workers()
    if options.workers < 1:
        parser.error("--workers must be at least 1")
    if ":" not in options.address:  # a bare port, as runserver accepts
        options.address = f"127.0.0.1:{options.address}"
    return options


def collect_static() -> None:
    """Copy the apps' static files into STATIC_ROOT (var/static) for WhiteNoise; unchanged files are skipped."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def serve(args: list[str]) -> None:
    import django
    from django.conf import settings

    options = parse_serve_args(args)
    django.setup()  # fails early, with its message, when TANDEM_SECRET_KEY is missing
    if settings.DEBUG:
        from django.core.management import execute_from_command_line

        # runserver prints the address it serves itself.
        execute_from_command_line(["tandem", "runserver", options.address])
        return
    collect_static()
    print(f"Tandem on http://{options.address}/ (gunicorn, {options.workers} workers)", flush=True)
    command = [
        sys.executable, "-m", "gunicorn", "tandem.wsgi:application",
        "--bind", options.address,
        "--workers", str(options.workers),
        "--access-logfile", "-",
        "--graceful-timeout", "20",
        "--no-control-socket",  # the runtime control socket would need a writable home directory
    ]
    sys.stdout.flush()
    # Replace this process: systemd's stop signal and Ctrl+C reach gunicorn's master directly.
    os.execv(sys.executable, command)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    argv = list(sys.argv if argv is None else argv)
    command = argv[1] if len(argv) > 1 else "help"
    aliases = {"createadmin": "createadmin", "demo": "load_demo", "export-beancount": "export_beancount",
               "expire-quotes": "expire_quotes"}
    if command in ("-h", "--help", "help"):
        print(__doc__)
        return
    if command == "serve":
        serve(argv[2:])
        return
    argv[1] = aliases.get(command, command)
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    if command == "migrate" and "--help" not in argv and "-h" not in argv:
        import django
        from django.conf import settings

        django.setup()
        if not settings.DEBUG:
            collect_static()


if __name__ == "__main__":
    main()
