/**
 * Vue Router's browser build imports @vue/devtools-api only to talk to the Vue devtools
 * extension; the console does not use it, so this stub saves the browser a dozen requests.
 */
export function setupDevtoolsPlugin() {}
