"""One way to show a score result (`credscore.result.Result`): the bar chart's definition (`chart`, also sent
by the API for the web pages to draw), console text for the CLI and the demo (`console`, needs rich), and the
HTML report (`credscore.report`)."""
