// Vuetify with the original dashboard's colours: dark background #261e2f, orange sidebar #e86620, green
// highlight #07ee7a. Icons are SVG paths from @mdi/js (tree-shaken), fonts bundled: nothing from a CDN.
import '@fontsource/roboto/latin-400.css'
import '@fontsource/roboto/latin-500.css'
import '@fontsource/roboto/latin-700.css'
import 'vuetify/styles'
import { createVuetify } from 'vuetify'
import { aliases, mdi } from 'vuetify/iconsets/mdi-svg'

export const COLORS = {
  background: '#261e2f',
  orange: '#e86620',
  green: '#07ee7a',
}

export const vuetify = createVuetify({
  icons: { defaultSet: 'mdi', aliases, sets: { mdi } },
  theme: {
    defaultTheme: 'dark',
    themes: {
      dark: {
        dark: true,
        colors: {
          background: COLORS.background,
          surface: '#30263b',
          'surface-bright': '#3b3047',
          'surface-variant': '#c9bfd4',
          'on-surface-variant': '#261e2f',
          primary: COLORS.green,
          'on-primary': '#10241a',
          secondary: COLORS.orange,
          'on-secondary': '#1b1422',
          sidebar: COLORS.orange,
          'on-sidebar': '#1b1422',
          error: '#ff6b6b',
          info: '#4fc3f7',
          success: COLORS.green,
          warning: '#ffca28',
        },
      },
      light: {
        dark: false,
        colors: {
          background: '#f6f3f9',
          surface: '#ffffff',
          primary: '#0a7d45',
          secondary: '#b84a0e',
          sidebar: COLORS.orange,
          'on-sidebar': '#1b1422',
          error: '#c62828',
          info: '#0277bd',
          success: '#0a7d45',
          warning: '#a66300',
        },
      },
    },
  },
  defaults: {
    VTextField: { variant: 'outlined', density: 'comfortable' },
    VCombobox: { variant: 'outlined', density: 'comfortable' },
    VSelect: { variant: 'outlined', density: 'comfortable' },
    VAutocomplete: { variant: 'outlined', density: 'comfortable' },
    VTextarea: { variant: 'outlined' },
    VBtn: { rounded: 'lg' },
  },
})
