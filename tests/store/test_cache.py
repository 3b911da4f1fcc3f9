from scaffold.cells import Completion, ToolCall, Usage
from scaffold.store.cache import ResponseCache, request_key


def test_key_covers_every_part_of_the_request():
    base = dict(model="m", api_base=None, messages=[{"role": "user", "content": "hi"}], params={}, tools=None, repeat=0)
    key = request_key(**base)
    assert key == request_key(**base)
    for change in (
        {"model": "m2"},
        {"api_base": "http://x"},
        {"messages": [{"role": "user", "content": "hi!"}]},
        {"params": {"temperature": 0}},
        {"tools": [{"type": "function"}]},
        {"repeat": 1},
    ):
        assert request_key(**{**base, **change}) != key


def test_completions_survive_a_reopen(tmp_path):
    completion = Completion("hello", (ToolCall("t1", "calc", '{"x": 1}'),), Usage(5, 3, 1, 2), "stop")
    cache = ResponseCache(tmp_path / "cache.sqlite")
    assert cache.get("k") is None
    cache.put("k", completion, 0.25)
    cache.close()
    reopened = ResponseCache(tmp_path / "cache.sqlite")
    assert reopened.get("k") == (completion, 0.25)
    reopened.close()
