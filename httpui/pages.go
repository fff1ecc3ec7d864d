package httpui

// pageRoutes returns the server-rendered page routes; the pages engineer owns this file.
func (s *Server) pageRoutes() []route { return nil }
