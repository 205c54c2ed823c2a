"""Sequence to sequence translation with a reversed source (Sutskever, Vinyals & Le 2014)."""
