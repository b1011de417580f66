import { createApp } from 'vue'
import { createPinia } from 'pinia'
import './vant-styles'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import { whenSessionEnds } from './api'
import { useSession } from './stores/session'

const app = createApp(App)
app.use(createPinia())
app.use(router)
whenSessionEnds(() => {
  useSession().ended()
  void router.replace({ name: 'login', query: { next: router.currentRoute.value.fullPath } })
})
app.mount('#app')
