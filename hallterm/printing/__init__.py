"""Documents: reportlab PDFs with an embedded CJK font, QR codes, signing and verification."""
