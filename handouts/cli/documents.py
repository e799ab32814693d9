"""The commands that make one document: build, print, lint (which checks one), and init."""

from __future__ import annotations

import click

from . import EXIT_INPUT, cli
from .options import OUTPUT, shared_option, shared_options, without_collector


@cli.command()
@click.option("-o", "--output", type=OUTPUT, help="File to write (default: <handout id>.pdf or .html here).")
@shared_options("brand", "layout", "providers", "provider_id", "patient_name", "print_ready", "allow_outside",
                "allow_lint_errors", "language", "no_cache")
@click.option("--print", "send", is_flag=True, help="Also send the PDF to a CUPS printer (see 'handouts print').")
@click.option("--printer", metavar="NAME", help="With --print: CUPS printer (default: the CUPS default).")
@click.option("--copies", type=click.IntRange(1, 100), help="With --print: number of copies (default 1).")
@click.option("--duplex", is_flag=True, help="With --print: print on both sides (long edge).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True,
              help="pdf: the tagged PDF; html: the accessible HTML edition, one self-contained file.")
def build(options, output, providers, provider_id, patient_name, send, printer, copies, duplex, fmt):
    """Build one handout: a tagged PDF, or with --format html the accessible HTML edition.

    HANDOUT is a manifest file, a folder holding handout.yaml, or the name of
    a bundled handout; without it the bundled stem-cell knee handout is built
    with the demo brand.

    \b
    Examples:
      handouts build
      handouts build my-clinic --layout large-print -o knee-large.pdf
      handouts build my-clinic --provider dr-nunez      # from my-clinic/providers.csv
      handouts build --language es          # the Spanish edition: stem-cell-knee.es.pdf
      handouts build my-clinic --print --printer front-desk
      handouts build my-clinic --format html -o knee.html
    """
    _check_provider_options(providers, provider_id)
    if not send and (printer or copies or duplex):
        raise click.UsageError("--printer, --copies and --duplex need --print")
    if send and fmt != "pdf":
        raise click.UsageError("--print prints the PDF; it cannot be used with --format html")
    if send:
        from ..deliver.printing import check_printer

        check_printer(printer)  # before building: a missing printer fails fast
    with without_collector():
        from ..deliver.single import build_handout

        result = build_handout(options=options, output=output, providers=providers, provider_id=provider_id,
                               patient_name=patient_name, fmt=fmt)
    click.echo(str(result.path))
    if send:
        from ..deliver.printing import print_handout

        printed = print_handout(rendered=result.rendered, printer=printer, copies=copies or 1, duplex=duplex)
        _report_job(printed.job, printed.pages)


def _check_provider_options(providers, provider_id) -> None:
    if providers and not provider_id:
        raise click.UsageError("--providers needs --provider ID (use 'handouts batch' for every provider)")


def _report_job(job, pages: int) -> None:
    """The job id on stdout (for scripts); what went where on stderr."""
    click.echo(job.job_id)
    if not (click.get_current_context().find_root().obj or {}).get("quiet"):
        copies = f"{job.copies} copies" if job.copies > 1 else "1 copy"
        sides = ", two-sided" if job.duplex else ""
        click.echo(f"handouts: sent {pages} page(s), {copies}{sides}, to printer {job.printer}", err=True)


@cli.command("print")
@shared_options("brand", "layout", "providers", "provider_id", "patient_name", "allow_outside", "allow_lint_errors",
                "language", "no_cache", allow_lint_errors="Print despite lint errors (each is logged as a warning).")
@click.option("--printer", metavar="NAME", help="CUPS printer to use (default: the CUPS default printer).")
@click.option("--copies", type=click.IntRange(1, 100), default=1, show_default=True, help="Number of copies.")
@click.option("--duplex", is_flag=True, help="Print on both sides of the paper (long edge).")
def print_command(options, printer, copies, duplex, providers, provider_id, patient_name):
    """Build a handout and send it to a CUPS printer.

    Checks the printer first, builds the PDF in memory (no file is written)
    and hands it to CUPS with `lp`. Prints the job id on stdout. The job's
    title is the handout's id and version, never the patient's name.
    CUPS_SERVER selects another CUPS server, as for `lp`.

    \b
    Examples:
      handouts print --printer front-desk
      handouts print my-clinic --patient-name "Ana Pérez" --layout large-print --duplex
    """
    from ..deliver.printing import print_handout

    _check_provider_options(providers, provider_id)
    result = print_handout(options=options, printer=printer, copies=copies, duplex=duplex, providers=providers,
                           provider_id=provider_id, patient_name=patient_name)
    _report_job(result.job, result.pages)


@cli.command()
@shared_options("brand", "layout", brand="brand.yml to check with.",
                layout="Layout to check the logo's resolution in (default letter).")
@click.option("--max-grade", type=click.FloatRange(1, 20), default=8.0, show_default=True,
              help="Highest reading grade a section may have.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one finding a line; json: a list of objects.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Date to check review dates against (YYYY-MM-DD).")
@shared_option("allow_outside")
@click.option("--images", is_flag=True, help="Also list every picture in the sections with its alt text, "
              "printed size and dpi (severity info).")
@shared_option("no_cache")
def lint(options, max_grade, strict, fmt, today, images):
    """Check a handout: reading level, claims, completeness, review dates, brand, pictures.

    Findings print as `path:line: severity: code: message`, sorted by file and
    line. Exit 1 when there is an error (or any warning with --strict).

    \b
    Examples:
      handouts lint
      handouts lint my-clinic --max-grade 6 --strict
      handouts lint my-clinic --format json > findings.json
      handouts lint my-clinic --images
    """
    import json

    with without_collector():
        from ..pipeline.lint import lint_handout

        findings = lint_handout(options.handout, brand=options.brand, layout=options.layout, max_grade=max_grade,
                                today=today.date() if today else None, allow_outside=options.allow_outside,
                                images=images, cache=options.cache)
    if fmt == "json":
        click.echo(json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            click.echo(str(finding))
        errors = sum(f.severity == "error" for f in findings)
        listed = sum(f.severity == "info" for f in findings)
        pictures = f", {listed} picture(s) listed" if images else ""
        click.echo(f"{errors} error(s), {len(findings) - errors - listed} warning(s){pictures}", err=True)
    if any(f.severity == "error" for f in findings) or (strict and any(f.severity != "info" for f in findings)):
        click.get_current_context().exit(EXIT_INPUT)



@cli.command()
@click.argument("folder", type=OUTPUT)
def init(folder):
    """Start a clinic's own handout from the bundled one.

    Copies the stem-cell knee handout, the demo brand (brand.yml, logo) and a
    demo roster (providers.csv) into FOLDER, which must be new or empty.

    \b
    Example:
      handouts init my-clinic && handouts build my-clinic
    """
    from ..errors import display_path
    from ..load.project import init_project

    files = init_project(folder)
    click.echo(f"Wrote {len(files)} files to {display_path(folder)}/. Next: edit brand.yml, then "
               f"run 'handouts build {folder}'.")
