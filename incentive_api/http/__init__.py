"""The HTTP adapter: Flask routes around the domain core."""
