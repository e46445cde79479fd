"""Delta: the democracy project package (settings, URLs, ASGI/WSGI) and the civic core apps."""
