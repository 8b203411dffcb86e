"""`keys init`, which `make run` calls first: the key is shown once, and the console's address beside it."""

from incentive_api.cli.main import main


def test_first_run_prints_the_key_and_the_console(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    keys = tmp_path / "api-keys.json"
    assert main(["keys", "init", "--file", str(keys)]) == 0
    first = capsys.readouterr().out
    assert "ia_" in first and "http://127.0.0.1:8123/console/" in first
    assert main(["keys", "init", "--file", str(keys)]) == 0
    again = capsys.readouterr().out
    assert "ia_" not in again and "http://127.0.0.1:8123/console/" in again
