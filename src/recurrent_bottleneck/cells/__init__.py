"""Keras recurrent cells written from their papers' equations (``keras.ops`` only)."""
