/**
 * React's development build checks every render and is several times slower to load and to
 * run; a terminal program uses the production build unless told otherwise (NODE_ENV set). This
 * module has no imports and comes first in the package's entry point, so it runs before React's
 * own entry reads the variable.
 */
process.env.NODE_ENV ??= 'production'
