"""kubealign: audit a sprawled deployment repository and converge it into one Helm path."""

__version__ = "0.1.0"
