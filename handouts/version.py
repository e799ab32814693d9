"""Which handouts this is: read by the CLI, the PDFs' Creator and batch manifests, without the library."""

__version__ = "0.1.0"
