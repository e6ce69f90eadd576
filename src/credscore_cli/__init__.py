"""`credscore`: score local exports, serve the web page, manage weights and make sample exports."""
