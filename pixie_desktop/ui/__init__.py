"""The thin Qt layer: models over the store, delegates, input widgets, output renderers, views."""
