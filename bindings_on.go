//go:build bindings

package main

// generatingBindings: Wails builds and runs the app with the bindings tag
// only to list the bound methods; it must not open the user's data folder.
const generatingBindings = true
