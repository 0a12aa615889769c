"""Personal data rights: the export, erasure on request, and retention after forums."""
