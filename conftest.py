# Root conftest: registers the shared fixtures for every test directory in the repo
# (pytest_plugins is only honoured in the rootdir conftest).
pytest_plugins = ["yizheng.testing.fixtures"]
