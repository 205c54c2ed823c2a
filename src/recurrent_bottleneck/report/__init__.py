"""From measurements to the PDF: verdicts, provenance, and the Typst build."""
