"""Print the contract-coverage registry at the end of every run that loaded this folder."""

from marketplace_sim.core import COVERAGE


def pytest_terminal_summary(terminalreporter):
    lines = COVERAGE.report()
    if len(lines) > 1:
        terminalreporter.section("contract coverage")
        for line in lines:
            terminalreporter.write_line(line)
