"""The Transformer encoder–decoder of Vaswani et al. (2017), in Keras, at a chosen size.

No recurrence: the encoder turns the embedded source (plus a sinusoidal position
code) into one vector per position by ``layers`` blocks of

    x <- LayerNorm(x + SelfAttention(x)),   x <- LayerNorm(x + FeedForward(x)),

FeedForward(x) = max(0, x W_1 + b_1) W_2 + b_2, dropout on every sub-layer's output
(the paper's "post-norm" arrangement). The decoder's blocks add attention over the
encoder's output between the two, and its self-attention is masked so that position t
sees only positions ≤ t. Embeddings are scaled by sqrt(d_model) and the position code is

    PE(p, 2i) = sin(p / 10000^(2i/d)),   PE(p, 2i+1) = cos(p / 10000^(2i/d)).

Training uses the paper's Adam (β₁ 0.9, β₂ 0.98, ε 1e-9) with its learning rate

    rate(step) = d_model^-0.5 · min(step^-0.5, step · warmup^-1.5)

and optional label smoothing ε_ls. Every position of a training sentence is computed at
once: the only sequential loop left is decoding, one target token after another.

For decoding, ``decoding_functions`` gives the same interface as the LSTM model
(:mod:`recurrent_bottleneck.translation.decoding`). Position t of a decoder block sees
the earlier positions only through the keys and values its self-attention projects from
them (everything else works position by position), so a step computes the newest
position alone and keeps those keys and values: the "states" of a hypothesis are the
target prefix so far and its length, its source tokens, and per decoder block the
self-attention's keys and values of the prefix and the cross-attention's of the
encoder's output (projected once per sentence). A step then costs O(d² + t·d) per block,
where running the decoder on the whole prefix again cost O(t·d² + t²·d).
"""

from __future__ import annotations

import numpy as np


def position_code(length: int, width: int) -> np.ndarray:
    """The sinusoidal position code, (length, width)."""
    positions = np.arange(length)[:, None]
    frequencies = 1.0 / 10000 ** (np.arange(0, width, 2) / width)
    code = np.zeros((length, width), dtype="float32")
    code[:, 0::2] = np.sin(positions * frequencies)
    code[:, 1::2] = np.cos(positions * frequencies[: width // 2])
    return code


def _layers():
    import keras
    from keras import ops

    class PositionalEmbedding(keras.layers.Layer):
        """Token embedding · sqrt(d) + the position code; token 0 (padding) is masked."""

        def __init__(self, vocabulary, width, max_length, **kwargs):
            super().__init__(**kwargs)
            self.width = width
            self.embedding = keras.layers.Embedding(vocabulary, width, mask_zero=True)
            self.code = ops.convert_to_tensor(position_code(max_length, width))

        def call(self, tokens):
            length = ops.shape(tokens)[1]
            return self.embedding(tokens) * np.sqrt(self.width) + self.code[None, :length, :]

        def at(self, tokens, positions):
            """Embedded ``tokens`` (batch, 1) standing at ``positions`` (batch, 1)."""
            code = ops.take(self.code, positions, axis=0)
            return self.embedding(tokens) * np.sqrt(self.width) + code

        def build(self, tokens_shape):
            self.embedding.build(tokens_shape)

        def compute_output_shape(self, tokens_shape):
            # said, not traced: JAX cannot trace a slice to a symbolic length
            return (*tokens_shape, self.width)

        def compute_mask(self, tokens, mask=None):
            return ops.not_equal(tokens, 0)

    class Block(keras.layers.Layer):
        """One encoder block, or with ``cross=True`` one decoder block."""

        def __init__(self, width, heads, feed_forward, dropout, cross=False, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True
            self.cross = cross
            key_width = width // heads
            self.self_attention = keras.layers.MultiHeadAttention(heads, key_width)
            self.cross_attention = (
                keras.layers.MultiHeadAttention(heads, key_width) if cross else None
            )
            self.hidden = keras.layers.Dense(feed_forward, activation="relu")
            self.back = keras.layers.Dense(width)
            self.norms = [
                keras.layers.LayerNormalization(epsilon=1e-6) for _ in range(3 if cross else 2)
            ]
            self.dropout = keras.layers.Dropout(dropout)
            self.feed_forward_width = feed_forward

        def build(self, input_shape):
            self.self_attention.build(input_shape, input_shape)
            if self.cross:  # the memory has the same width as the inputs
                self.cross_attention.build(input_shape, (input_shape[0], None, input_shape[-1]))
            self.hidden.build(input_shape)
            self.back.build((*input_shape[:-1], self.feed_forward_width))
            for norm in self.norms:
                norm.build(input_shape)

        def call(self, inputs, memory=None, memory_mask=None, mask=None, training=False):
            # masks are passed by hand: padding rows and columns, and causality
            attention_mask = None
            if mask is not None:
                attention_mask = ops.logical_and(mask[:, :, None], mask[:, None, :])
            attended = self.self_attention(
                inputs,
                inputs,
                attention_mask=attention_mask,
                use_causal_mask=self.cross,
                training=training,
            )
            x = self.norms[0](inputs + self.dropout(attended, training=training))
            if self.cross:
                cross_mask = memory_mask[:, None, :]
                if mask is not None:
                    cross_mask = ops.logical_and(mask[:, :, None], cross_mask)
                attended = self.cross_attention(
                    x, memory, attention_mask=cross_mask, training=training
                )
                x = self.norms[1](x + self.dropout(attended, training=training))
            transformed = self.back(self.hidden(x))
            return self.norms[-1](x + self.dropout(transformed, training=training))

        def memory_keys_values(self, memory):
            """The cross-attention's keys and values of the encoder's output (a decoder
            block), each (batch, source length, heads, key width)."""
            attention = self.cross_attention
            return attention.key_dense(memory), attention.value_dense(memory)

        def step(self, inputs, here, visible, keys_values, memory_keys_values, memory_mask):
            """A decoder block at one new position, for inference (no dropout).

            ``inputs`` (batch, 1, width) is the block's input there, ``here`` (batch, L)
            marks the position in a buffer of L, ``visible`` (batch, L) the positions it
            attends to (itself and the prefix before it). ``keys_values`` holds the
            self-attention's keys and values of the buffer (batch, L, heads, key width);
            the new position's are written in and returned with the output.
            """
            attention = self.self_attention
            here = here[:, :, None, None]
            keys, values = (
                ops.where(here, dense(inputs), earlier)
                for dense, earlier in zip(
                    (attention.key_dense, attention.value_dense), keys_values, strict=True
                )
            )
            attended = _attend(attention, inputs, keys, values, visible)
            x = self.norms[0](inputs + attended)
            attended = _attend(self.cross_attention, x, *memory_keys_values, memory_mask)
            x = self.norms[1](x + attended)
            x = self.norms[-1](x + self.back(self.hidden(x)))
            return x, (keys, values)

    def _attend(attention, queries, keys, values, visible):
        """What ``attention`` (a MultiHeadAttention without dropout) computes for
        ``queries`` over keys and values it projected before; ``visible`` (batch, keys)."""
        attended = ops.dot_product_attention(
            attention.query_dense(queries),
            keys,
            values,
            mask=visible[:, None, None, :],
            scale=1.0 / np.sqrt(keys.shape[-1]),
        )
        return attention.output_dense(attended)

    class DecodingStep(keras.layers.Layer):
        """The decoder at one new position, for inference, reading and writing the
        buffers of keys and values (one layer, so the blocks' sub-layers it calls are not
        taken apart by the functional model). Hypothesis i continues row ``rows[i]`` of
        the arrays it is given (beam search prunes and reorders them): the gather is part
        of the step, not a call of its own."""

        def __init__(self, embedding, blocks, **kwargs):
            super().__init__(**kwargs)
            self.target_embedding = embedding
            self.blocks = blocks

        def call(self, source, token, position, prefix, rows, buffers, memory_parts):
            source, *buffers = (ops.take(array, rows[:, 0], axis=0) for array in [source, *buffers])
            memory_parts = [ops.take(part, rows[:, 0], axis=0) for part in memory_parts]
            token_mask = ops.not_equal(token, 0)  # what the training masks do to padding
            visible = ops.logical_and(ops.not_equal(prefix, 0), token_mask)
            memory_mask = ops.logical_and(ops.not_equal(source, 0), token_mask)
            here = ops.one_hot(position[:, 0], ops.shape(prefix)[1]) > 0
            x = self.target_embedding.at(token, position)
            updated = []
            for index, block in enumerate(self.blocks):
                pair = slice(2 * index, 2 * index + 2)
                x, keys_values = block.step(
                    x, here, visible, buffers[pair], memory_parts[pair], memory_mask
                )
                updated += keys_values
            return x, [source, *updated, *memory_parts]

    class MemoryKeysValues(keras.layers.Layer):
        """Every decoder block's cross-attention keys and values of the encoder output."""

        def __init__(self, blocks, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True  # the source's padding mask ends here
            self.blocks = blocks

        def call(self, memory, mask=None):
            memory = ops.copy(memory)  # without the mask, which the projections ignore
            return [part for block in self.blocks for part in block.memory_keys_values(memory)]

        def compute_mask(self, memory, mask=None):
            return None

    return PositionalEmbedding, Block, DecodingStep, MemoryKeysValues


def learning_rate_schedule(width: int, warmup_steps: int):
    """The paper's schedule: linear warm-up, then decay as step^-0.5."""
    import keras
    from keras import ops

    class WarmupThenInverseSquareRoot(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            step = ops.cast(step, "float32") + 1.0
            return width**-0.5 * ops.minimum(step**-0.5, step * warmup_steps**-1.5)

        def get_config(self):
            return {"width": width, "warmup_steps": warmup_steps}

    return WarmupThenInverseSquareRoot()


def smoothed_negative_log_likelihood(smoothing: float):
    """-log p(target) with label smoothing: (1-ε)·NLL + ε·mean over the vocabulary of -log p."""
    from keras import ops

    def loss(targets, log_probabilities):
        targets = ops.cast(targets, "int32")
        picked = ops.take_along_axis(log_probabilities, ops.expand_dims(targets, -1), axis=-1)
        negative = -ops.squeeze(picked, -1)
        if smoothing == 0.0:
            return negative
        uniform = -ops.mean(log_probabilities, axis=-1)
        return (1.0 - smoothing) * negative + smoothing * uniform

    return loss


def build(
    source_vocabulary: int,
    target_vocabulary: int,
    *,
    layers: int,
    width: int,
    heads: int,
    feed_forward: int,
    dropout: float,
    max_length: int,
    warmup_steps: int,
    label_smoothing: float,
    clip_norm: float,
):
    """(training model, encoder model, step decoder model), sharing their weights."""
    import keras
    from keras import ops

    from recurrent_bottleneck.translation.model import compile_with_xla

    PositionalEmbedding, Block, DecodingStep, MemoryKeysValues = _layers()
    source_embedding = PositionalEmbedding(
        source_vocabulary, width, max_length, name="source_embedding"
    )
    target_embedding = PositionalEmbedding(
        target_vocabulary, width, max_length, name="target_embedding"
    )
    encoder_blocks = [
        Block(width, heads, feed_forward, dropout, name=f"encoder_{index}")
        for index in range(layers)
    ]
    decoder_blocks = [
        Block(width, heads, feed_forward, dropout, cross=True, name=f"decoder_{index}")
        for index in range(layers)
    ]
    embedding_dropout = keras.layers.Dropout(dropout)
    softmax = keras.layers.Dense(target_vocabulary, activation="log_softmax", name="log_softmax")

    def encode(source):
        x = embedding_dropout(source_embedding(source))
        for block in encoder_blocks:
            x = block(x)
        return x

    def decode(prefix, memory, source):
        memory_mask = ops.not_equal(source, 0)
        x = embedding_dropout(target_embedding(prefix))
        for block in decoder_blocks:
            x = block(x, memory=memory, memory_mask=memory_mask)
        return softmax(x)

    source = keras.Input(shape=(None,), dtype="int32", name="source")
    decoder_input = keras.Input(shape=(None,), dtype="int32", name="decoder_input")
    memory = encode(source)
    training_model = keras.Model(
        [source, decoder_input], decode(decoder_input, memory, source), name="transformer"
    )
    training_model.compile(
        optimizer=keras.optimizers.Adam(
            learning_rate=learning_rate_schedule(width, warmup_steps),
            beta_1=0.9,
            beta_2=0.98,
            epsilon=1e-9,
            global_clipnorm=clip_norm,
        ),
        loss=smoothed_negative_log_likelihood(label_smoothing),
        jit_compile=compile_with_xla(),
    )
    # for decoding: the encoder gives every decoder block's keys and values of its
    # output; a step decodes one token per hypothesis and keeps per block the keys and
    # values of the prefix in a buffer of max_length positions (padding after them)
    memory_keys_values = MemoryKeysValues(decoder_blocks, name="memory_keys_values")(memory)
    encoder_model = keras.Model(source, [source, *memory_keys_values], name="encoder")
    token = keras.Input(shape=(1,), dtype="int32", name="token")
    position = keras.Input(shape=(1,), dtype="int32", name="position")
    prefix = keras.Input(shape=(max_length,), dtype="int32", name="prefix")
    head_width = width // heads
    buffers = [
        keras.Input(shape=(max_length, heads, head_width), name=f"{part}_{index}")
        for index in range(layers)
        for part in ("keys", "values")
    ]
    memory_parts = [
        keras.Input(shape=(None, heads, head_width), name=f"memory_{part}_{index}")
        for index in range(layers)
        for part in ("keys", "values")
    ]
    rows = keras.Input(shape=(1,), dtype="int32", name="rows")
    x, updated = DecodingStep(target_embedding, decoder_blocks, name="decoding_step")(
        source, token, position, prefix, rows, buffers, memory_parts
    )
    step_model = keras.Model(
        [source, token, position, prefix, rows, *buffers, *memory_parts],
        [softmax(x), *updated],
        name="decoder",
    )
    return training_model, encoder_model, step_model


def decoding_functions(models) -> dict:
    """``initial_states(source)``, ``step(tokens, states)`` and ``reorder(states, rows)``
    for the decoding module.

    The keys and values stay the backend's arrays (on the GPU where there is one)
    between steps; only the tokens, the prefix and the log probabilities pass through
    NumPy.
    """
    import keras

    from recurrent_bottleneck.translation.model import compile_with_xla, compiled

    _, encoder_model, step_model = models
    # every input but the batch and the source's width has a fixed size, so XLA and JAX
    # compile a step once per pair of those (as the whole-prefix step did)
    gather_now = compile_with_xla()
    encode, decode = compiled(encoder_model), compiled(step_model, jit_compile=gather_now)
    # inputs: source, token, position, prefix, rows, then the buffers' keys and values
    # (a pair per block) and the memory's (a pair per block)
    _, _, _, prefix_shape, _, *shapes = step_model.input_shape
    buffer_shapes = shapes[: len(shapes) // 2]
    buffer_length = prefix_shape[1]

    def initial_states(source: np.ndarray) -> list:
        source_tokens, *memory_keys_values = encode(np.asarray(source, np.int32))
        count = len(source)
        return [
            np.zeros((count, buffer_length), dtype=np.int32),  # the prefix (padding after)
            np.zeros(count, dtype=np.int32),  # the next free position
            np.arange(count, dtype=np.int32),  # the row of the arrays below to continue
            source_tokens,
            *(keras.ops.zeros((count, *shape[1:])) for shape in buffer_shapes),
            *memory_keys_values,
        ]

    def step(tokens: np.ndarray, states: list):
        prefix, position, rows, *arrays = states
        prefix = np.array(prefix)
        tokens = np.asarray(tokens, np.int32)
        prefix[np.arange(len(prefix)), position] = tokens
        log_probabilities, *arrays = decode(
            [arrays[0], tokens[:, None], position[:, None], prefix, rows[:, None], *arrays[1:]]
        )
        log_probabilities = keras.ops.convert_to_numpy(log_probabilities)[:, 0]
        return log_probabilities, [
            prefix,
            position + 1,
            np.arange(len(prefix), dtype=np.int32),
            *arrays,
        ]

    def reorder(states: list, chosen: list[int]) -> list:
        """The chosen hypotheses' states. NumPy's are indexed; the backend's arrays are
        gathered by the next step (one call), except where a step is compiled once per
        shape (XLA, JAX): there they are gathered now, so a step meets one batch size in
        all its inputs, not each pair of sizes before and after pruning."""
        prefix, position, rows, *arrays = states
        rows = rows[chosen]
        if gather_now:
            arrays = [keras.ops.take(array, rows, axis=0) for array in arrays]
            rows = np.arange(len(rows), dtype=np.int32)
        return [prefix[chosen], position[chosen], rows, *arrays]

    return {"initial_states": initial_states, "step": step, "reorder": reorder}
