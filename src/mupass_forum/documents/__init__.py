"""Documents people need to travel and to attend: visa invitation letters, badges and
certificates of attendance, as PDF from the same templates and catalogs as the pages."""
