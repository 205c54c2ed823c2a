"""Multi-head self-attention as one layer (Vaswani et al. 2017, section 3.2).

Every position i attends to every position j of the same sequence:

    head_h(X) = softmax(X W_h^Q (X W_h^K)^T / sqrt(d_k)) X W_h^V,   d_k = d / heads,
    SelfAttention(X) = concat(head_1 … head_H) W^O,

so one layer connects any two positions directly and its work is a product of an
n x n score matrix with the values: O(n²·d), with no step that waits for another.
"""

from __future__ import annotations

import keras


class SelfAttention(keras.layers.Layer):
    """(batch, n, d) -> (batch, n, d); ``width`` must be a multiple of ``heads``."""

    def __init__(self, width: int, heads: int, **kwargs):
        super().__init__(**kwargs)
        if width % heads:
            raise ValueError(f"width ({width}) must be a multiple of heads ({heads})")
        self.width, self.heads = width, heads
        self.attention = keras.layers.MultiHeadAttention(heads, width // heads, name="heads")

    def build(self, input_shape):
        self.attention.build(input_shape, input_shape)

    def call(self, inputs):
        return self.attention(inputs, inputs)

    def get_config(self):
        return {**super().get_config(), "width": self.width, "heads": self.heads}
