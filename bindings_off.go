//go:build (dev || production) && !bindings

package main

const generatingBindings = false
