pytest_plugins = ["tests.pacs.plugin"]
