#include <iostream>
#include <vector>
using namespace std;
int main() {
    int n;
    cin >> n;
    vector<bool> composite(n + 1, false);
    int cnt = 0;
    for (int i = 2; i <= n; i++) {
        if (composite[i]) continue;
        cnt++;
        for (long long j = (long long)i * i; j <= n; j += i) composite[j] = true;
    }
    cout << cnt << "\n";
    return 0;
}
