// Types the modules share.

@export()
@description('Resource tags.')
type Tags = {
  *: string
}

@export()
@description('The storage account\'s service endpoints, each ending in a slash.')
type StorageEndpoints = {
  blob: string
  queue: string
  table: string
}
