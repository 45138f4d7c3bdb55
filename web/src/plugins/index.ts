// The one place plugins are installed.
import type { App } from 'vue'
import { createPinia } from 'pinia'
import { vuetify } from './vuetify'
import { router } from './router'

export function registerPlugins(app: App): void {
  app.use(createPinia()).use(vuetify).use(router)
}
