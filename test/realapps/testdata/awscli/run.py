"""Runs AWS CLI commands through the AWS CLI's own entry point, many in one
process.

Each line of standard input is a JSON array: the arguments after `aws`.
Each is run as the `aws` program runs it, by the CLI driver's main(): the
arguments are parsed, the request built, signed and sent, and the answer
or error printed, anew for every command; the one driver (its botocore
session: credentials and the loaded service models) serves them all, as
it would serve one `aws` process. Each command is answered by one JSON line
on standard output: {"rc": exit code, "stdout": …, "stderr": …}. Starting
the CLI once instead of once per command is what makes a scenario table of
a few dozen commands take seconds rather than a minute: the CLI spends
about a second importing itself and loading its models each time it
starts.

The environment is the CLI's usual one (AWS_ACCESS_KEY_ID, AWS_PAGER, …).
"""

import contextlib
import io
import json
import sys

from awscli.clidriver import create_clidriver


def run(driver, argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = driver.main(argv)
        except SystemExit as e:  # argument errors exit, as in `aws`
            rc = e.code if isinstance(e.code, int) else 1
    return {"rc": rc, "stdout": out.getvalue(), "stderr": err.getvalue()}


def main():
    answers = sys.stdout
    driver = create_clidriver()
    for line in sys.stdin:
        answers.write(json.dumps(run(driver, json.loads(line))) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
