"""The configuration schema: the shipped configs are valid, bad ones name the bad key."""

import copy

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate


@pytest.fixture
def default_config(project_root):
    with open(project_root / "config" / "config.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture
def schema(project_root):
    return str(project_root / "config" / "schema.yaml")


def merged(base, override):
    result = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict):
            result[key] = merged(result.get(key, {}), value)
        else:
            result[key] = value
    return result


@pytest.mark.parametrize("name", ["smoke.yaml", "full.yaml"])
def test_shipped_configs_are_valid(project_root, default_config, schema, name):
    validate(copy.deepcopy(default_config), schema)
    with open(project_root / "config" / name, encoding="utf-8") as handle:
        validate(merged(default_config, yaml.safe_load(handle)), schema)


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"latch": {"seeds": 0}}, "seeds"),
        ({"latch": {"lengths": [10, -5]}}, "lengths"),
        ({"gradient_decay": {"max_lag": -1}}, "max_lag"),
        ({"gradient_decay": {"units": "many"}}, "units"),
        ({"gradient_decay": {"activations": ["relu"]}}, "activations"),
        ({"backend": "torch"}, "backend"),
        ({"latch": {"learning_rat": 0.1}}, "learning_rat"),
        ({"milestone_1991": {}}, "milestone_1991"),
        ({"long_time_lags": {"adding": {"lengths": [12]}}}, "lengths"),
        ({"long_time_lags": {"adding": {"learning_rat": 0.1}}}, "learning_rat"),
        ({"long_time_lags": {"long_lag": {"training_steps": 0}}}, "training_steps"),
        ({"long_time_lags": {"models": ["gru"]}}, "models"),
        ({"long_time_lags": {"cell": {"forget_bias": 1.0}}}, "forget_bias"),
        ({"continual_streams": {"rows": ["peephole"]}}, "rows"),
        ({"continual_streams": {"window": 0}}, "window"),
        ({"continual_streams": {"cell": {"state_decay": 1.5}}}, "state_decay"),
        ({"continual_streams": {"test_stream_lenght": 100}}, "test_stream_lenght"),
        ({"continual_streams": {"learning": "rtrl"}}, "learning"),
        ({"continual_streams": {"learning": "online", "optimizer": "adam"}}, "optimizer"),
        ({"continual_streams": {"learning": "online", "cell": {"truncated": False}}}, "truncated"),
        ({"continual_streams": {"gradient_reach": "past"}}, "gradient_reach"),
        ({"continual_streams": {"gradient_reach": "window"}}, "learning"),
        ({"continual_streams": {"update_every": "string"}}, "update_every"),
        ({"continual_streams": {"update_every": "window"}}, "learning"),
        ({"continual_streams": {"test_every_stream": True}}, "learning"),
        ({"continual_streams": {"training_streams": 30000}}, "learning"),
        ({"continual_streams": {"training_streams": 0}}, "training_streams"),
        ({"speech": {"models": ["gru"]}}, "models"),
        ({"speech": {"corpus": {"noise": -0.1}}}, "noise"),
        ({"speech": {"corpus": {"frames_per_phone": [3]}}}, "frames_per_phone"),
        ({"speech": {"corpus": {"coarticulation": 0.9}}}, "coarticulation"),
        ({"speech": {"tanh_unit": 8}}, "tanh_unit"),
        ({"speech": {"depth": {"layers": [0]}}}, "layers"),
        ({"speech": {"depth": {"layers": [1, 1]}}}, "layers"),
        ({"speech": {"depth": {"wider": True}}}, "wider"),
        ({"sequence_to_sequence": {"directions": ["sideways"]}}, "directions"),
        ({"sequence_to_sequence": {"corpus": {"source": "tsv"}}}, "tsv_file"),
        ({"sequence_to_sequence": {"corpus": {"source": "aligned_files"}}}, "source_file"),
        ({"sequence_to_sequence": {"optimizer": "rmsprop"}}, "optimizer"),
        ({"sequence_to_sequence": {"beam_size": 0}}, "beam_size"),
        ({"attention": {"layer_cost": {"layers": ["gru"]}}}, "layers"),
        ({"attention": {"layer_cost": {"lengths": [0, 16]}}}, "lengths"),
        ({"attention": {"layer_cost": {"path_radius": 1.0}}}, "path_radius"),
        ({"attention": {"transformer": {"heads": 0}}}, "heads"),
        ({"attention": {"transformer": {"warmup": 10}}}, "warmup"),
        ({"attention": {"compare_with_direction": "sideways"}}, "compare_with_direction"),
    ],
)
def test_bad_values_are_refused_naming_the_key(default_config, schema, override, named):
    with pytest.raises(WorkflowError, match=named):
        validate(merged(default_config, override), schema)
