/**
 * A Worker module that fails while loading (the pool's startup-failure test).
 *
 * @module
 */

throw new Error("injected startup failure");
